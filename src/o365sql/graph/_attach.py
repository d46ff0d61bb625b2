"""File attachments of Outlook items (messages and events): inline under 3 MB, else an upload session."""

from __future__ import annotations

import base64
import re
from typing import Any, Protocol
from urllib.parse import unquote

from ..errors import OperationalError
from ._errors import Permissions

__all__ = ["MAX_INLINE_ATTACHMENT", "attach_file"]

# outlook-large-attachments.md: a POST takes a file under 3 MB; 3-150 MB need an upload session
MAX_INLINE_ATTACHMENT = 3 * 1024 * 1024


class _Graph(Protocol):
    """What attaching needs of a Graph client: a request and an upload-session upload."""

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        idempotent: bool | None = None,
        permissions: Permissions | None = None,
    ) -> Any: ...

    def upload(self, upload_url: str, data: bytes) -> Any: ...


def _json(response: Any) -> dict[str, Any]:
    data = response.json() if response.content else {}
    return data if isinstance(data, dict) else {}


def attach_file(
    graph: _Graph,
    item: str,
    name: str,
    data: bytes,
    content_type: str | None,
    *,
    is_inline: bool | None = None,
    permissions: Permissions | None = None,
) -> dict[str, Any]:
    """Attach `data` to the message or event at path `item`; Graph's attachment (id, name, size, ...).

    Neither request is repeated once it may have reached Graph: attaching is not idempotent.
    """
    base = f"{item}/attachments"
    ctype = content_type or "application/octet-stream"
    if len(data) < MAX_INLINE_ATTACHMENT:
        body: dict[str, Any] = {
            "@odata.type": "#microsoft.graph.fileAttachment",
            "name": name,
            "contentType": ctype,
            "contentBytes": base64.b64encode(data).decode("ascii"),
        }
        if is_inline is not None:
            body["isInline"] = is_inline
        made = _json(graph.request("POST", base, json=body, idempotent=False, permissions=permissions))
        return {"name": name, "size": len(data), "contentType": ctype, **made}
    attachment: dict[str, Any] = {
        "attachmentType": "file",
        "name": name,
        "size": len(data),
        "contentType": ctype,
    }
    if is_inline is not None:
        attachment["isInline"] = is_inline
    session = _json(
        graph.request(
            "POST",
            f"{base}/createUploadSession",
            json={"AttachmentItem": attachment},
            idempotent=False,
            permissions=permissions,
        )
    )
    url = session.get("uploadUrl")
    if not isinstance(url, str) or not url:
        raise OperationalError("Graph's createUploadSession answer has no uploadUrl")
    final = graph.upload(url, data)
    # the last fragment answers 201 with Location: .../attachments('<id>')
    found = re.search(r"[Aa]ttachments\('([^']+)'\)", unquote(final.headers.get("Location", "")))
    return {"id": found.group(1) if found else "", **attachment}
