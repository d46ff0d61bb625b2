"""Example programs built on o365sql's public API (run them from the repository's root)."""
