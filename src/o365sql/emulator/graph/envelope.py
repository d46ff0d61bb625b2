"""Graph's wire format: the request context, results, Prefer headers and collection links."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote, urlencode

from .errors import GraphError

if TYPE_CHECKING:
    from ..state import EmulatorState
    from ..tokens import AccessGrant
    from .store import GraphStore

__all__ = [
    "JSON_CT",
    "Ctx",
    "Owner",
    "Result",
    "json_result",
    "next_link",
    "parse_prefer",
]

Item = dict[str, Any]
JSON_CT = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
_PREFER_ITEM = re.compile(r'\s*([A-Za-z0-9_.\-]+)\s*(?:=\s*("(?:[^"]*)"|[^,;]*))?')


@dataclass
class Result:
    """A response before it becomes HTTP: JSON (`body` a dict), raw bytes, or nothing."""

    status: int = 200
    body: Any = None  # dict -> JSON; bytes -> raw; str -> text/plain; None -> empty
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = None

    def encode(self) -> tuple[bytes, str | None]:
        """The body bytes and their content type."""
        if self.body is None:
            return b"", self.content_type
        if isinstance(self.body, bytes):
            return self.body, self.content_type or "application/octet-stream"
        if isinstance(self.body, str):
            return self.body.encode(), self.content_type or "text/plain"
        return json.dumps(self.body, ensure_ascii=False, separators=(",", ":")).encode(), JSON_CT


def json_result(body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> Result:
    """A JSON result."""
    return Result(status=status, body=body, headers=dict(headers or {}))


def parse_prefer(values: list[str]) -> dict[str, str]:
    """Parse Prefer headers (comma-separated, possibly repeated) into lower-case name -> unquoted value."""
    out: dict[str, str] = {}
    for value in values:
        for part in value.split(","):
            match = _PREFER_ITEM.match(part)
            if match and match.group(1):
                raw = (match.group(2) or "").strip()
                out[match.group(1).lower()] = raw[1:-1] if raw.startswith('"') and raw.endswith('"') else raw
    return out


@dataclass
class Ctx:
    """One Graph request as the handlers see it (also built for each $batch item)."""

    state: EmulatorState
    store: GraphStore
    method: str
    path: str  # below /v1.0, no leading slash, percent-decoded
    raw_query: str  # the query string as sent
    headers: Mapping[str, str]  # case-insensitive
    body: bytes
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    client_request_id: str = ""
    grant: AccessGrant | None = None
    prefer: dict[str, str] = field(default_factory=dict)
    applied: list[str] = field(default_factory=list)  # Preference-Applied entries
    in_batch: bool = False
    raw_path: str = ""  # below /v1.0 as sent (percent-encoded); "" when only the decoded path is known

    def __post_init__(self) -> None:
        if not self.client_request_id:
            self.client_request_id = self.headers.get("client-request-id") or self.request_id

    @property
    def params(self) -> dict[str, str]:
        """Query options, first value of each, with `$` names as sent (`%24top` decoded)."""
        out: dict[str, str] = {}
        for key, value in parse_qsl(self.raw_query, keep_blank_values=True):
            out.setdefault(key, value)
        return out

    def json_body(self) -> dict[str, Any]:
        """The request body as a JSON object, or 400 BadRequest."""
        try:
            data = json.loads(self.body or b"null")
        except ValueError:
            raise GraphError(
                400,
                "BadRequest",
                "Unable to read JSON request payload. Please ensure Content-Type "
                "header is set and payload is of valid JSON format.",
            ) from None
        if not isinstance(data, dict):
            raise GraphError(400, "BadRequest", "Empty Payload. JSON content expected.")
        return data

    def meta(self, fragment: str) -> str:
        """An @odata.context URL: `{graph_url}/$metadata#{fragment}`."""
        return f"{self.state.graph_url}/$metadata#{fragment}"

    def select_list(self) -> set[str]:
        """The $select names, lower-cased (empty without $select)."""
        raw = next((v for k, v in self.params.items() if k.lower() == "$select"), "")
        return {p.strip().lower() for p in raw.split(",") if p.strip()}

    def url(self, path: str | None = None) -> str:
        """The absolute Graph URL of a path below /v1.0."""
        target = path if path is not None else self.path
        return f"{self.state.graph_url}/{quote(target, safe=_PATH_SAFE)}"


@dataclass
class Owner:
    """Whose data a `/me/...` or `/users/{id}/...` request addresses."""

    user: Item
    key: str  # the segment as written ("me" for /me)
    via_me: bool
    # A SharePoint document library's drive id (/drives/{id}, /sites/{id}/drive, /groups/{id}/drive): the
    # drive routes then serve that library, written as `user` (the site's owner).
    library: str | None = None

    @property
    def id(self) -> str:
        """The user's object id, or the library's drive id (what the drive routes and tokens key by)."""
        return self.library or str(self.user["id"])

    @property
    def drive_path(self) -> str:
        """The request path of the owner's drive (`me/drive`, `users/x/drive`, `drives/{id}`)."""
        return f"drives/{self.library}" if self.library else f"{self.prefix}/drive"

    @property
    def base(self) -> str:
        """The @odata.context prefix: users('<id>') for /me, users('<as written>') otherwise."""
        if self.library:
            return f"drives('{quote(self.library, safe='')}')"
        key = self.id if self.via_me else self.key
        return f"users('{quote(key, safe='')}')"

    @property
    def prefix(self) -> str:
        """The request path prefix ("me" or "users/<key>")."""
        return "me" if self.via_me else f"users/{self.key}"


def next_link(ctx: Ctx, replace: dict[str, str], drop: tuple[str, ...] = ()) -> str:
    """An absolute nextLink: the same path and every original query option, with paging options replaced."""
    pairs = [
        (k, v)
        for k, v in parse_qsl(ctx.raw_query, keep_blank_values=True)
        if k not in replace and k not in drop
    ]
    pairs.extend(replace.items())
    query = urlencode(pairs, quote_via=quote, safe="$'(),:@/")
    return f"{ctx.url()}?{query}"
