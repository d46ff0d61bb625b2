"""The exception tree and the Graph / identity-platform error registries."""

from __future__ import annotations

import json
import pickle

import pytest

from o365sql import errors
from o365sql.errors import (
    GRAPH_CODES,
    IDENTITY_AADSTS,
    AuthenticationError,
    ConflictError,
    DatabaseError,
    Error,
    GraphAuthenticationError,
    GraphError,
    GraphNotSupportedError,
    InternalError,
    InvalidIdError,
    InvalidRequestError,
    NotFoundError,
    NotSupportedError,
    OperationalError,
    PermissionDeniedError,
    ProgrammingError,
    QuotaExceededError,
    ServerError,
    ServiceUnavailableError,
    SyncStateError,
    ThrottledError,
    error_from_graph_response,
    error_from_identity_response,
    graph_error_class,
    redact,
)


def _graph_body(
    code: str, message: str = "Something happened.", request_id: str = "rid-1"
) -> dict[str, object]:
    return {
        "error": {
            "code": code,
            "message": message,
            "innerError": {"date": "2021-05-18T19:03:10", "request-id": request_id, "client-request-id": "c"},
        }
    }


def test_pep249_tree() -> None:
    for name in ("InterfaceError", "DatabaseError"):
        assert issubclass(getattr(errors, name), Error)
    for name in (
        "DataError",
        "OperationalError",
        "IntegrityError",
        "InternalError",
        "ProgrammingError",
        "NotSupportedError",
    ):
        assert issubclass(getattr(errors, name), DatabaseError)
    assert issubclass(errors.Warning, Exception) and not issubclass(errors.Warning, Error)
    assert issubclass(GraphError, DatabaseError)
    assert issubclass(AuthenticationError, OperationalError)
    assert issubclass(PermissionDeniedError, ProgrammingError) and issubclass(
        PermissionDeniedError, GraphError
    )
    assert issubclass(NotFoundError, ProgrammingError)
    assert issubclass(ThrottledError, OperationalError)
    assert issubclass(GraphAuthenticationError, AuthenticationError)
    assert "+-- DatabaseError" in (errors.__doc__ or "")


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (401, "InvalidAuthenticationToken", GraphAuthenticationError),
        (403, "ErrorAccessDenied", PermissionDeniedError),
        (403, "Authorization_RequestDenied", PermissionDeniedError),
        (403, "accessDenied", PermissionDeniedError),
        (404, "ErrorItemNotFound", NotFoundError),
        (404, "Request_ResourceNotFound", NotFoundError),
        (404, "itemNotFound", NotFoundError),
        (400, "ErrorInvalidIdMalformed", InvalidIdError),
        (400, "BadRequest", InvalidRequestError),
        (400, "Request_BadRequest", InvalidRequestError),
        (400, "Request_UnsupportedQuery", InvalidRequestError),
        (400, "ErrorInvalidUrlQuery", InvalidRequestError),
        (400, "InefficientFilter", InvalidRequestError),
        (400, "ErrorInvalidParameter", InvalidRequestError),
        (429, "TooManyRequests", ThrottledError),
        (501, "NotImplemented", GraphNotSupportedError),
        (503, "serviceNotAvailable", ServiceUnavailableError),
        (500, "generalException", ServerError),
        (409, "nameAlreadyExists", ConflictError),
        (412, "resourceModified", ConflictError),
        (507, "quotaLimitReached", QuotaExceededError),
        (410, "resyncRequired", SyncStateError),
        (400, "syncStateNotFound", SyncStateError),
    ],
)
def test_graph_codes_map_to_classes(status: int, code: str, cls: type[GraphError]) -> None:
    err = error_from_graph_response(status, _graph_body(code), {"request-id": "hdr-rid"})
    assert type(err) is cls
    assert err.code == code and err.status == status and err.request_id == "hdr-rid"
    assert "Something happened" in err.message
    assert str(err).startswith(err.message) and f"HTTP {status}" in str(err) and "hdr-rid" in str(err)


def test_every_registered_code_maps_to_its_class() -> None:
    for code, (cls, _hint) in GRAPH_CODES.items():
        assert graph_error_class(400, code) is cls
        assert graph_error_class(400, code.upper()) is cls  # case-insensitive fallback


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, InvalidRequestError),
        (401, GraphAuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (418, InvalidRequestError),
        (424, errors.DependencyFailedError),
        (429, ThrottledError),
        (500, ServerError),
        (501, GraphNotSupportedError),
        (502, ServiceUnavailableError),
        (503, ServiceUnavailableError),
        (504, ServiceUnavailableError),
        (599, ServerError),
    ],
)
def test_unknown_codes_fall_back_to_status(status: int, cls: type[GraphError]) -> None:
    err = error_from_graph_response(status, _graph_body("SomethingNew"))
    assert type(err) is cls
    assert issubclass(ServerError, InternalError) and issubclass(GraphNotSupportedError, NotSupportedError)


def test_request_id_from_inner_error_when_no_header() -> None:
    err = error_from_graph_response(404, json.dumps(_graph_body("ErrorItemNotFound", request_id="inner-rid")))
    assert err.request_id == "inner-rid"
    assert "does not exist" in err.message


def test_non_json_body() -> None:
    err = error_from_graph_response(502, b"<html>Bad gateway</html>", [("Request-Id", "x1")])
    assert isinstance(err, ServiceUnavailableError)
    assert "Bad gateway" in err.message and err.request_id == "x1" and err.code is None


def test_permission_denied_names_permissions() -> None:
    err = error_from_graph_response(
        403,
        _graph_body("ErrorAccessDenied", "Access is denied. Check credentials and try again."),
        request="GET /v1.0/me/messages",
        delegated_permissions=["Mail.Read"],
        application_permissions=["Mail.Read"],
    )
    assert str(err).startswith("GET /v1.0/me/messages: Access is denied")
    assert "needs the Mail.Read permission (delegated) or Mail.Read (application)" in err.message
    assert "Scope" in err.message and "grant it to the app" in err.message


def test_permission_denied_tailored_to_token_kind() -> None:
    app = error_from_graph_response(
        403,
        _graph_body("Authorization_RequestDenied"),
        application_permissions=["User.Read.All"],
        app_only=True,
    )
    assert "User.Read.All application permission" in app.message and "admin consent" in app.message
    user = error_from_graph_response(
        403, _graph_body("accessDenied"), delegated_permissions=["Files.Read"], app_only=False
    )
    assert "Files.Read permission (delegated)" in user.message and "add it to Scope" in user.message
    unknown = error_from_graph_response(403, _graph_body("ErrorAccessDenied"))
    assert "Scope" in unknown.message


def test_query_errors_suggest_pushdown_false() -> None:
    err = error_from_graph_response(400, _graph_body("InefficientFilter", "The restriction is too complex."))
    assert "Pushdown=false" in err.message


def test_graph_401_says_how_to_sign_in() -> None:
    err = error_from_graph_response(
        401, _graph_body("InvalidAuthenticationToken", "Access token has expired.")
    )
    assert "InitiateOAuth=GETANDREFRESH" in err.message and "OAuthAccessToken" in err.message


@pytest.mark.parametrize(
    ("error", "code", "words"),
    [
        (
            "invalid_grant",
            70008,
            ["expired or was revoked", "InitiateOAuth=GETANDREFRESH", "OAuthRefreshToken"],
        ),
        ("invalid_grant", 700082, ["expired due to inactivity", "OAuthRefreshToken"]),
        ("invalid_grant", 50173, ["revoked", "sign in again"]),
        ("invalid_grant", 54005, ["already redeemed", "OAuthVerifier"]),
        ("invalid_client", 7000215, ["OAuthClientSecret", "Secret ID"]),
        ("invalid_scope", 70011, ["Scope", ".default"]),
        ("interaction_required", 50076, ["multi-factor", "GETANDREFRESH"]),
        ("invalid_grant", 65001, ["consent", "GetAdminConsentURL"]),
        ("unauthorized_client", 700016, ["OAuthClientId", "AzureTenant"]),
        ("invalid_request", 9001023, ["AzureTenant", "common"]),
        ("invalid_request", 90002, ["AzureTenant", "not found"]),
        ("invalid_client", 700025, ["public client", "OAuthClientSecret"]),
    ],
)
def test_identity_errors(error: str, code: int, words: list[str]) -> None:
    body = {
        "error": error,
        "error_description": f"AADSTS{code}: Original text.\r\nTrace ID: t-1\r\nCorrelation ID: c-1\r\n"
        "Timestamp: 2016-01-09 02:02:12Z",
        "error_codes": [code],
        "trace_id": "t-1",
        "correlation_id": "c-1",
    }
    err = error_from_identity_response(400, body)
    assert type(err) is AuthenticationError
    assert err.code == error and err.aadsts == code and err.status == 400 and err.request_id == "t-1"
    for word in words:
        assert word in err.message
    assert f"AADSTS{code}: Original text" in err.message and "Trace ID" not in err.message
    assert f"AADSTS{code}" in str(err) and "trace id t-1" in str(err) and "correlation id c-1" in str(err)


def test_identity_two_codes_picks_the_specific_one() -> None:
    err = error_from_identity_response(400, {"error": "invalid_grant", "error_codes": [70002, 70008]})
    assert err.aadsts == 70008


def test_identity_code_from_text_and_unknown_code() -> None:
    err = error_from_identity_response(400, "AADSTS9001023: The grant type isn't supported over /common")
    assert err.aadsts == 9001023 and "AzureTenant" in err.message
    unknown = error_from_identity_response(400, {"error": "invalid_grant", "error_codes": [123456]})
    assert unknown.aadsts == 123456 and "sign in again" in unknown.message
    bare = error_from_identity_response(None, {"error": "whatever"})
    assert "Sign-in failed" in bare.message


def test_every_aadsts_code_reaches_its_hint() -> None:
    for code, hint in IDENTITY_AADSTS.items():
        err = error_from_identity_response(400, {"error": "invalid_grant", "error_codes": [code]})
        assert err.aadsts == code and hint in err.message


def test_redact_masks_tokens_everywhere() -> None:
    jwt = "eyJ0eXAiOiJKV1QiLCJhbGciOi.eyJhdWQiOiJodHRwczovL2dyYXBo.c2lnbmF0dXJl"
    text = (
        f"Authorization: Bearer {jwt} refresh_token=0.AAAA-rt&code=authcode123&client_secret=cs1 "
        f'{{"access_token": "{jwt}", "client_assertion":"ca1"}} {jwt}'
    )
    cleaned = redact(text)
    for secret in (jwt, "0.AAAA-rt", "authcode123", "cs1", "ca1"):
        assert secret not in cleaned
    assert "$skiptoken=abc" in redact("$skiptoken=abc")  # paging tokens are not secrets


def test_messages_are_redacted_at_construction() -> None:
    err = OperationalError("failed with refresh_token=0.secret-rt")
    assert "0.secret-rt" not in str(err) and "0.secret-rt" not in repr(err)


def test_pickle_keeps_attributes() -> None:
    err = error_from_identity_response(
        400, {"error": "invalid_grant", "error_codes": [700082], "trace_id": "t"}
    )
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is AuthenticationError and back.aadsts == 700082 and str(back) == str(err)
    gerr = error_from_graph_response(404, _graph_body("itemNotFound"), {"request-id": "r"})
    gback = pickle.loads(pickle.dumps(gerr))
    assert type(gback) is NotFoundError and gback.request_id == "r" and gback.code == "itemNotFound"
