"""The Graph permissions each table reads with, so a 403 can name what to add to Scope or grant to the app."""

from __future__ import annotations

__all__ = ["TABLE_PERMISSIONS"]

# table -> (delegated permissions, application permissions); the least privileged first.
TABLE_PERMISSIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "Users": (("User.ReadBasic.All", "User.Read.All"), ("User.Read.All",)),
    "Groups": (("Group.Read.All",), ("Group.Read.All",)),
    "GroupMembers": (("GroupMember.Read.All", "Group.Read.All"), ("GroupMember.Read.All", "Group.Read.All")),
    "Messages": (("Mail.ReadBasic", "Mail.Read"), ("Mail.Read",)),
    "MailFolders": (("Mail.ReadBasic", "Mail.Read"), ("Mail.Read",)),
    "MessageAttachments": (("Mail.Read",), ("Mail.Read",)),
    "Events": (("Calendars.Read",), ("Calendars.Read",)),
    "CalendarView": (("Calendars.Read",), ("Calendars.Read",)),
    "Calendars": (("Calendars.Read",), ("Calendars.Read",)),
    "Contacts": (("Contacts.Read",), ("Contacts.Read",)),
    "ContactFolders": (("Contacts.Read",), ("Contacts.Read",)),
    "Files": (("Files.Read",), ("Files.Read.All",)),
}
