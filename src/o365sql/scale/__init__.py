"""Tenant scale: the multi-owner scheduler, statement figures, drive delta, delta sync and the sync cache.

Entry points for code built on top (the CLI's ``sync``, a Spark data source): :func:`sync`,
:func:`read_owner`, :func:`delta_pages`; :func:`run_owners` runs any per-owner work under Graph's limits.
"""

from __future__ import annotations

from .api import ConnectionLike, CursorLike, StreamPage, delta_pages, read_owner, sync
from .delta import SYNC_TABLES, DeltaPage
from .scheduler import MAILBOX_CONCURRENCY, OwnerJob, OwnerSkip, run_owners
from .stats import ProgressCallback, StatementStats
from .sync import SyncReport

__all__ = [
    "MAILBOX_CONCURRENCY",
    "SYNC_TABLES",
    "ConnectionLike",
    "CursorLike",
    "DeltaPage",
    "OwnerJob",
    "OwnerSkip",
    "ProgressCallback",
    "StatementStats",
    "StreamPage",
    "SyncReport",
    "delta_pages",
    "read_owner",
    "run_owners",
    "sync",
]
