"""A small web application that signs people in with Microsoft and shows their mail and calendar from SQL."""
