"""Body shapes of the MailboxSettings and Rules writes that the generic paths of dml.py lack."""

from __future__ import annotations

from typing import Any

from ..errors import DataError
from ..schema import TableSpec

__all__ = ["shape_body"]

# Columns whose JSON must be an object (a Graph complex type), not an array or a scalar.
_OBJECT_COLUMNS = {
    "MailboxSettings": ("workingHours",),
    "Rules": ("conditions", "actions", "exceptions"),
}


def shape_body(spec: TableSpec, body: dict[str, Any]) -> dict[str, Any]:
    """The body Graph takes for a POST/PATCH made by build_body (DataError for JSON of the wrong shape).

    MailboxSettings columns live below `mailboxSettings` on the user, but the PATCH goes to
    /users/{id}/mailboxSettings and takes the settings themselves (user-update-mailboxsettings.md). Only the
    properties the UPDATE sets are nested there, so Graph keeps the others (a partial automaticRepliesSetting
    keeps its reply messages).
    """
    if spec.name == "MailboxSettings":
        body = body.get("mailboxSettings", {})
    for name in _OBJECT_COLUMNS.get(spec.name, ()):
        value = body.get(name)
        if value is not None and not isinstance(value, dict):
            column = f"mailboxSettings_{name}" if spec.name == "MailboxSettings" else name
            raise DataError(
                f"{spec.name}.{column} takes a JSON object, not {type(value).__name__} {value!r:.60}"
            )
    return body
