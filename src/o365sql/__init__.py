"""o365sql: Office 365 (Microsoft 365) data as SQL tables, a DB-API 2.0 driver over Microsoft Graph v1.0."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
