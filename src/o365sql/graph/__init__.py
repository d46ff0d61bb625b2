"""The HTTP side: one httpx client, the TokenProvider seam, retries, paging, $batch, errors, OData text."""

from __future__ import annotations

from ._attach import MAX_INLINE_ATTACHMENT, attach_file
from ._batch import MAX_BATCH, BatchRequest, BatchResponse
from ._client import GraphClient
from ._counters import Counters, Traffic
from ._errors import Permissions
from ._odata import encode_query, odata_datetime, odata_literal, odata_string, path_segment
from ._retry import IDEMPOTENT_METHODS, RETRY_STATUSES, RetryPolicy, parse_retry_after
from ._tokens import TokenProvider
from ._transport import USER_AGENT, make_http_client, make_ssl_context

__all__ = [
    "IDEMPOTENT_METHODS",
    "MAX_BATCH",
    "MAX_INLINE_ATTACHMENT",
    "RETRY_STATUSES",
    "USER_AGENT",
    "BatchRequest",
    "BatchResponse",
    "Counters",
    "GraphClient",
    "Permissions",
    "RetryPolicy",
    "TokenProvider",
    "Traffic",
    "attach_file",
    "encode_query",
    "make_http_client",
    "make_ssl_context",
    "odata_datetime",
    "odata_literal",
    "odata_string",
    "parse_retry_after",
    "path_segment",
]
