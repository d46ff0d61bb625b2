"""The sync cache's procedure: ``EXEC SyncTable Table='Messages'[, UserId='a@x,b@x']``."""

from __future__ import annotations

from ..scale.sync import sync_with
from ._common import Args, Row
from ._registry import Procedure, ProcedureContext, ProcParam

__all__ = ["PROCEDURES"]


def _sync_table(ctx: ProcedureContext, args: Args) -> list[Row]:
    owners = [o.strip() for o in str(args.get("UserId") or "").split(",") if o.strip()]
    table = str(args["Table"])
    report = sync_with(ctx.props, ctx.graph, ctx.app_only, table, owners or None, ctx.user_id)
    skipped = "; ".join(str(s) for s in report.skipped) or None
    return [
        (
            report.table,
            report.owners,
            report.streams,
            report.upserted,
            report.removed,
            report.restarted,
            report.requests,
            report.bytes,
            round(report.seconds, 3),
            skipped,
        )
    ]


PROCEDURES: tuple[Procedure, ...] = (
    Procedure(
        "SyncTable",
        "Bring a table's sync cache (CacheLocation) up to date through Graph's delta queries: the first run "
        "reads everything, later runs only what changed; an interrupted run resumes where it stopped.",
        (
            ProcParam(
                "Table",
                required=True,
                description="Messages, Events (kept as CalendarView), Contacts, Files, Users or Groups",
            ),
            ProcParam(
                "UserId",
                description="Owners to sync, comma-separated (default: every user when app-only, else the "
                "UserId property or the signed-in user)",
            ),
        ),
        (
            ("Table", "TEXT"),
            ("Owners", "INTEGER"),
            ("Streams", "INTEGER"),
            ("Upserted", "INTEGER"),
            ("Removed", "INTEGER"),
            ("Restarted", "INTEGER"),
            ("Requests", "INTEGER"),
            ("Bytes", "INTEGER"),
            ("Seconds", "REAL"),
            ("Skipped", "TEXT"),
        ),
        _sync_table,
    ),
)
