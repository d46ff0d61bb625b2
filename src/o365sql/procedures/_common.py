"""What the Graph procedures share: whose mailbox/drive, argument helpers, POSTs and upload sessions."""

from __future__ import annotations

import base64
import binascii
import dataclasses
import mimetypes
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from .._addresses import parse_address_list
from ..errors import GraphError, OperationalError, ProgrammingError
from ..graph import Permissions, path_segment
from ._registry import Procedure, ProcedureContext, ProcParam

__all__ = [
    "OUTPUT_FOLDER",
    "OVERWRITE",
    "STATUS",
    "Args",
    "Row",
    "content",
    "decode_base64",
    "guess_type",
    "json_of",
    "need",
    "output_dir",
    "post",
    "procedure",
    "read_local",
    "safe_name",
    "scope_path",
    "text",
    "user_param",
    "write_out",
]

Row = tuple[Any, ...]
Args = dict[str, Any]


def scope_path(ctx: ProcedureContext, args: Args, proc: str) -> str:
    """``/users/{id}`` for the procedure's UserId (else the connection's), ``/me`` when neither is set."""
    user = str(args.get("UserId") or ctx.user_id or "").strip()
    if user and user.lower() != "me":
        return "/users/" + path_segment(user)
    if ctx.app_only:
        raise ProgrammingError(
            f"{proc}: an app-only token has no signed-in user, so there is no /me; pass UserId "
            "(the mailbox's id or userPrincipalName) or set the UserId connection property"
        )
    return "/me"


def text(args: Args, name: str) -> str:
    value = args.get(name)
    return "" if value is None else str(value)


def need(args: Args, proc: str, name: str) -> str:
    value = text(args, name).strip()
    if not value:
        raise ProgrammingError(f"{proc} needs {name}")
    return value


def decode_base64(value: str, proc: str, name: str) -> bytes:
    try:
        return base64.b64decode("".join(value.split()), validate=True)
    except (binascii.Error, ValueError):
        raise ProgrammingError(f"{proc} parameter {name} is not valid base64") from None


def read_local(path: str, proc: str, name: str) -> bytes:
    try:
        return Path(path).expanduser().read_bytes()
    except OSError as exc:
        raise ProgrammingError(f"{proc} parameter {name}: cannot read {path!r}: {exc.strerror}") from None


def content(args: Args, proc: str, b64_name: str, file_name: str = "LocalFile") -> bytes:
    """The bytes given either as base64 (``b64_name``) or as a local file path (``file_name``)."""
    b64 = args.get(b64_name)
    local = text(args, file_name).strip()
    if b64 is not None and local:
        raise ProgrammingError(f"{proc}: give either {b64_name} or {file_name}, not both")
    if local:
        return read_local(local, proc, file_name)
    if b64 is None:
        raise ProgrammingError(f"{proc} needs the content: {b64_name} (base64) or {file_name} (a file path)")
    if isinstance(b64, bytes):
        return b64
    return decode_base64(str(b64), proc, b64_name)


def safe_name(name: str, fallback: str) -> str:
    """A file name that stays inside the output folder."""
    cleaned = re.sub(r'[\x00-\x1f<>:"/\\|?*]', "_", os.path.basename(name.replace("\\", "/"))).strip(" .")
    return cleaned or fallback


def output_dir(args: Args, proc: str) -> Path | None:
    """OutputFolder checked before anything is downloaded; None when the content goes back as base64."""
    folder = text(args, "OutputFolder").strip()
    if not folder:
        return None
    target_dir = Path(folder).expanduser()
    if not target_dir.is_dir():
        raise ProgrammingError(f"{proc} parameter OutputFolder: {folder!r} is not an existing folder")
    return target_dir


def write_out(target_dir: Path, name: str, data: bytes, overwrite: bool, proc: str) -> str:
    target = target_dir / name
    if target.exists() and not overwrite:
        raise ProgrammingError(f"{proc}: {str(target)!r} already exists; pass Overwrite = true to replace it")
    try:
        target.write_bytes(data)
    except OSError as exc:
        raise OperationalError(f"{proc}: cannot write {str(target)!r}: {exc.strerror}") from None
    return str(target)


def json_of(response: httpx.Response) -> dict[str, Any]:
    if not response.content:
        return {}
    data = response.json()
    return data if isinstance(data, dict) else {}


def post(ctx: ProcedureContext, path: str, body: dict[str, Any] | None) -> httpx.Response:
    # Graph actions are not idempotent: the client must never repeat one that may have been applied.
    response: httpx.Response = ctx.graph.request(
        "POST", path, json=body if body is not None else {}, idempotent=False, permissions=ctx.permissions
    )
    return response


def recipients(args: Args, proc: str, name: str) -> list[dict[str, Any]]:
    """``a@x.com; B <b@y.com>`` as Graph recipients; ProgrammingError naming the parameter if one is bad."""
    try:
        parsed = parse_address_list(text(args, name))
    except ValueError as exc:
        raise ProgrammingError(
            f"{proc} parameter {name}: {exc.args[0]!r} is not an email address; give addresses "
            "separated by ';'"
        ) from None
    return [
        {"emailAddress": {"address": address, **({"name": display} if display else {})}}
        for display, address in parsed
    ]


def guess_type(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def user_param() -> ProcParam:
    """The UserId input every Graph procedure takes, last."""
    return ProcParam(
        "UserId",
        description="The mailbox/drive owner (id or UPN); default: the UserId property, else /me.",
    )


STATUS = (("Status", "TEXT"),)
OUTPUT_FOLDER = ProcParam(
    "OutputFolder", description="A folder to write the files to; without it FileData holds base64."
)
OVERWRITE = ProcParam(
    "Overwrite", "BOOLEAN", description="Replace files that exist in OutputFolder.", default=False
)


def procedure(
    name: str,
    description: str,
    params: tuple[ProcParam, ...],
    columns: tuple[tuple[str, str], ...],
    func: Callable[[ProcedureContext, Args], list[Row]],
    permissions: Permissions | None = None,
) -> Procedure:
    """A Procedure acting on a mailbox or drive: UserId added last, Graph's "/me is only valid" explained.

    ``permissions`` (delegated, application) are what its writes need: a 403 on one names them.
    """

    def run(ctx: ProcedureContext, args: Args) -> list[Row]:
        try:
            return func(dataclasses.replace(ctx, permissions=permissions), args)
        except GraphError as exc:
            # a static OAuthAccessToken may be app-only without the connection knowing: Graph then refuses /me
            if "/me request is only valid" in str(exc) and not (args.get("UserId") or ctx.user_id):
                raise ProgrammingError(
                    f"{name}: the access token is app-only (no signed-in user), so there is no /me; pass "
                    "UserId (the mailbox's id or userPrincipalName) or set the UserId connection property"
                ) from exc
            raise

    return Procedure(name, description, (*params, user_param()), columns, run)
