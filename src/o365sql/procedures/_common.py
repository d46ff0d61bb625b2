"""What the Graph procedures share: whose mailbox/drive, argument helpers, POSTs and upload sessions."""

from __future__ import annotations

import base64
import binascii
import contextlib
import dataclasses
import mimetypes
import os
import re
import stat
import tempfile
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


def item_path(ctx: ProcedureContext, args: Args, proc: str, collection: str, id_param: str) -> str:
    """``{scope}/{collection}/{id}``: the item (a message, an event) the procedure's ``id_param`` names."""
    scope = scope_path(ctx, args, proc)
    return f"{scope}/{collection}/{path_segment(need(args, proc, id_param))}"


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


def read_local(path: str, proc: str, name: str, limit: int) -> bytes:
    """A local regular file's bytes; refused before reading when it is anything else (a device, a FIFO, a
    folder) or larger than ``limit`` (Graph's size limit for what it becomes)."""
    where = f"{proc} parameter {name}"
    if "\x00" in path:
        raise ProgrammingError(f"{where}: a path cannot contain a NUL character")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    flags |= getattr(os, "O_BINARY", 0)
    try:
        # non-blocking, so opening a FIFO cannot wait for a writer; checked on the open file, not the name
        fd = os.open(Path(path).expanduser(), flags)
    except OSError as exc:
        raise ProgrammingError(f"{where}: cannot read {path!r}: {exc.strerror}") from None
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise ProgrammingError(
            f"{where}: {path!r} is not a regular file; only files can be sent (not devices, FIFOs or folders)"
        )
    with os.fdopen(fd, "rb") as handle:
        if st.st_size > limit:
            raise ProgrammingError(
                f"{where}: {path!r} has {st.st_size} bytes; Graph takes at most {limit} bytes here"
            )
        try:
            data = handle.read(st.st_size + 1)  # one more byte shows a file that grew since fstat
        except OSError as exc:
            raise ProgrammingError(f"{where}: cannot read {path!r}: {exc.strerror}") from None
    if len(data) > st.st_size:
        raise ProgrammingError(f"{where}: {path!r} grew while it was being read; try again once it is whole")
    return data


def content(args: Args, proc: str, b64_name: str, file_name: str = "LocalFile", *, limit: int) -> bytes:
    """The bytes given either as base64 (``b64_name``) or as a local file path (``file_name``, a regular
    file of at most ``limit`` bytes)."""
    b64 = args.get(b64_name)
    local = text(args, file_name).strip()
    if b64 is not None and local:
        raise ProgrammingError(f"{proc}: give either {b64_name} or {file_name}, not both")
    if local:
        return read_local(local, proc, file_name, limit)
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
    """Write ``data`` as ``name`` in the folder: into a new private file first, then moved into place in one
    step, so nothing is ever written through a link planted there and no reader sees half a file."""
    target = target_dir / name
    exists = f"{proc}: {str(target)!r} already exists; pass Overwrite = true to replace it"
    try:
        found = os.lstat(target)  # a link counts as there, and is never followed
    except FileNotFoundError:
        found = None
    except OSError as exc:
        raise OperationalError(f"{proc}: cannot write {str(target)!r}: {exc.strerror}") from None
    if found is not None and not overwrite:
        raise ProgrammingError(exists)
    if found is not None and stat.S_ISDIR(found.st_mode):
        raise ProgrammingError(f"{proc}: {str(target)!r} is a folder; it is not replaced by a file")
    try:
        fd, temp = tempfile.mkstemp(dir=target_dir, prefix=".o365sql-", suffix=".part")  # 0600, O_EXCL
    except OSError as exc:
        raise OperationalError(f"{proc}: cannot write in {str(target_dir)!r}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if overwrite:
            os.replace(temp, target)  # replaces a link itself, not the file it points to
        else:
            os.link(temp, target)  # fails if the name appeared in the meantime
    except FileExistsError:
        raise ProgrammingError(exists) from None
    except OSError as exc:
        raise OperationalError(f"{proc}: cannot write {str(target)!r}: {exc.strerror}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
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
