"""make_http_client and the Graph client against the real emulator (TLS trust, paging, errors), plus OData."""

from __future__ import annotations

import datetime as dt
import ssl
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from o365sql.emulator import Emulator
from o365sql.errors import OperationalError, PermissionDeniedError, ProgrammingError
from o365sql.graph import (
    GraphClient,
    RetryPolicy,
    make_http_client,
    make_ssl_context,
    odata_literal,
    odata_string,
)
from o365sql.properties import resolve


class StaticToken:
    """The trivial TokenProvider: one token, as InitiateOAuth=OFF;OAuthAccessToken=... gives."""

    def __init__(self, token: str, app_only: bool = False) -> None:
        self.token = token
        self._app_only = app_only
        self.refreshes = 0

    @property
    def app_only(self) -> bool:
        return self._app_only

    def get_token(self, *, force_refresh: bool = False) -> str:
        self.refreshes += force_refresh
        return self.token


def _user_token(emulator: Emulator, *scopes: str) -> str:
    directory = emulator.state.directory
    token, _grant = emulator.state.tokens.issue_access(
        tenant_id=directory.tenant.id,
        client_id=directory.public_client_id,
        user_id=directory.demo_user.id,
        scopes=frozenset(scopes),
    )
    return token


def _props(emulator: Emulator, **extra: Any) -> Any:
    return resolve(f"SSLServerCert={emulator.ca_cert};GraphURL={emulator.graph_url}", **extra)


# -- TLS trust -------------------------------------------------------------------------------------


def test_make_http_client_trusts_ssl_server_cert(emulator: Emulator) -> None:
    with make_http_client(_props(emulator)) as http:
        response = http.get(f"{emulator.state.base_url}/_emulator/requests")
    assert response.status_code == 200 and isinstance(response.json(), list)


def test_without_the_ca_verification_fails(emulator: Emulator) -> None:
    with (
        httpx.Client(trust_env=False) as plain,
        pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY"),
    ):
        plain.get(f"{emulator.state.base_url}/_emulator/requests")
    with make_http_client(resolve()) as ours, pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY"):
        ours.get(f"{emulator.state.base_url}/_emulator/requests")


def test_ca_as_pem_text_and_env_vars_do_not_replace_it(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    pem = Path(emulator.ca_cert).read_text()
    # environment variables pointing elsewhere must neither replace nor disable our CA
    monkeypatch.setenv("SSL_CERT_FILE", "/nonexistent.pem")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/nonexistent.pem")
    props = resolve(SSLServerCert=pem, ProxyAutoDetect=True)
    with make_http_client(props) as http:
        assert http.get(f"{emulator.state.base_url}/_emulator/requests").status_code == 200


def test_untrusted_server_is_a_clear_error_not_retried(emulator: Emulator) -> None:
    slept: list[float] = []
    graph = GraphClient(
        emulator.graph_url,
        StaticToken("t"),
        http=make_http_client(resolve()),
        retry=RetryPolicy(sleep=slept.append),
        owns_http=True,
    )
    with graph, pytest.raises(OperationalError, match="SSLServerCert") as info:
        graph.get_json("/me")
    assert slept == [] and graph.requests_sent == 1
    assert "not trusted" in str(info.value)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("/nonexistent/ca.pem", ["SSLServerCert", "no file"]),
        ("-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----", ["no CERTIFICATE"]),
        ("AB" * 20, ["thumbprint"]),
        ("*", ["never"]),
    ],
)
def test_bad_ssl_server_cert(value: str, words: list[str]) -> None:
    with pytest.raises(ProgrammingError) as info:
        make_ssl_context(value)
    for word in words:
        assert word in str(info.value)


def test_bad_pem_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pem"
    bad.write_text("not a certificate")
    with pytest.raises(ProgrammingError, match="not a PEM certificate"):
        make_ssl_context(str(bad))


def test_client_options_from_properties() -> None:
    props = resolve(
        "Timeout=7;ProxyServer=proxy.local;ProxyPort=3128;ProxyUser=u;ProxyPassword=p;ProxyExceptions=a.b"
    )
    with make_http_client(props) as http:
        assert http.timeout.read == 7 and http.timeout.connect == 7
        assert not http.trust_env and http.follow_redirects is False
        assert http.headers["User-Agent"].startswith("o365sql/")
        proxied = [t for p, t in http._mounts.items() if t is not None]
        assert proxied, "the proxy is mounted"
        pool = proxied[0]._pool  # type: ignore[union-attr]
        assert pool._proxy_url.host == b"proxy.local" and pool._proxy_url.port == 3128
        assert any(p.host == "a.b" and t is None for p, t in http._mounts.items())
        assert isinstance(http._transport._pool._ssl_context, ssl.SSLContext)  # type: ignore[attr-defined]
        assert http._transport._pool._http2 is True  # type: ignore[attr-defined]
    with make_http_client(resolve("Timeout=0")) as unlimited:
        assert unlimited.timeout.read is None


# -- Graph against the emulator --------------------------------------------------------------------


def test_graph_client_against_emulator_pages_and_counts(make_emulator: Any) -> None:
    emulator = make_emulator(data="demo")  # its own: the request log is counted
    token = _user_token(emulator, "User.Read", "Mail.Read")
    with GraphClient(
        emulator.graph_url, StaticToken(token), http=make_http_client(_props(emulator)), owns_http=True
    ) as graph:
        me = graph.get_json("/me")
        assert me["userPrincipalName"].lower() == emulator.demo_user.lower()
        pages = list(graph.iter_pages("/me/messages", {"$top": "3", "$select": "id,subject"}))
        items = [m for page in pages[:4] for m in page["value"]]
    total = len(emulator.state.graph.mailbox(emulator.state.directory.demo_user.id).messages)
    assert len(pages) == -(-total // 3) and len(items) == 12  # every message, 3 a page
    assert len({m["id"] for m in items}) == len(items)
    assert all(set(m) <= {"id", "subject", "@odata.etag"} for m in items)
    log = [r for r in emulator.requests() if r["path"].startswith("/v1.0/me")]
    assert [r["status"] for r in log] == [200] * (1 + len(pages))
    assert graph.requests_sent == 1 + len(pages)


def test_graph_errors_from_emulator(emulator: Emulator) -> None:
    token = _user_token(emulator, "User.Read")  # no Mail.Read
    with (
        GraphClient(
            emulator.graph_url, StaticToken(token), http=make_http_client(_props(emulator)), owns_http=True
        ) as graph,
        pytest.raises(PermissionDeniedError) as info,
    ):
        graph.get_json("/me/messages", permissions=(["Mail.Read"], ["Mail.Read"]))
    err = info.value
    assert err.status == 403 and err.request_id and "Mail.Read permission (delegated)" in str(err)


def test_expired_token_refreshes_once_against_emulator(make_emulator: Any) -> None:
    emulator = make_emulator(data="empty")  # its own: every token it issued expires
    stale = StaticToken(_user_token(emulator, "User.Read"))
    emulator.advance_clock(3600)
    with (
        GraphClient(
            emulator.graph_url, stale, http=make_http_client(_props(emulator)), owns_http=True
        ) as graph,
        pytest.raises(OperationalError, match="InitiateOAuth=GETANDREFRESH"),
    ):
        graph.get_json("/me")
    assert stale.refreshes == 1 and graph.requests_sent == 2


# -- OData literals --------------------------------------------------------------------------------


def test_odata_literals() -> None:
    assert odata_string("O'Brien") == "'O''Brien'"
    assert odata_literal(None) == "null"
    assert odata_literal(True) == "true" and odata_literal(False) == "false"
    assert (
        odata_literal(42) == "42"
        and odata_literal(-1.5) == "-1.5"
        and odata_literal(Decimal("1.10")) == "1.10"
    )
    assert odata_literal(float("nan")) == "NaN" and odata_literal(float("-inf")) == "-INF"
    berlin = dt.timezone(dt.timedelta(hours=2))
    assert odata_literal(dt.datetime(2024, 5, 1, 12, 0, tzinfo=berlin)) == "2024-05-01T10:00:00Z"
    assert odata_literal(dt.datetime(2024, 5, 1, 12, 0, 0, 250000)) == "2024-05-01T12:00:00.250000Z"
    assert odata_literal(dt.date(2024, 5, 1)) == "2024-05-01"
    guid = uuid.UUID("12345678-1234-5678-1234-567812345678")
    assert odata_literal(guid) == "12345678-1234-5678-1234-567812345678"
    assert odata_literal(b"\xff\x00") == "binary'_wA='"
    with pytest.raises(ProgrammingError, match="Cannot use a list"):
        odata_literal([1])


def _unquote(literal: str) -> str:
    """Parse one OData string literal the way a server does; fail if anything follows its closing quote."""
    assert literal[0] == "'"
    out, i = [], 1
    while True:
        ch = literal[i]
        if ch == "'":
            if i + 1 < len(literal) and literal[i + 1] == "'":
                out.append("'")
                i += 2
                continue
            assert i == len(literal) - 1, "text after the closing quote"
            return "".join(out)
        out.append(ch)
        i += 1


@given(st.text())
def test_odata_string_cannot_escape(value: str) -> None:
    assert _unquote(odata_string(value)) == value


# -- faults injected by the emulator ---------------------------------------------------------------


@pytest.fixture
def faulty(make_emulator: Any) -> Emulator:
    """A private emulator for a test that switches faults on, writes and counts requests."""
    emulator: Emulator = make_emulator(data="demo")
    return emulator


def _graph(emulator: Emulator, token: str, slept: list[float], retries: int = 10) -> GraphClient:
    policy = RetryPolicy(max_retries=retries, sleep=slept.append)
    return GraphClient(
        emulator.graph_url,
        StaticToken(token),
        http=make_http_client(_props(emulator)),
        retry=policy,
        owns_http=True,
    )


def test_throttling_and_5xx_from_emulator_are_ridden_out(faulty: Emulator) -> None:
    from o365sql.graph import BatchRequest

    token = _user_token(faulty, "User.Read.All", "User.Read")
    users = [u.id for u in faulty.state.directory.users[:8]]
    slept: list[float] = []
    faulty.set_faults(throttle_share=0.3, error_share=0.15, retry_after=0.25, seed=11)
    faulty.reset()
    with _graph(faulty, token, slept) as graph:
        for _ in range(12):
            assert graph.get_json("/me")["id"] == faulty.state.directory.demo_user.id
        answers = graph.batch(
            [BatchRequest(str(i), "GET", f"/users/{uid}?$select=id") for i, uid in enumerate(users)]
        )
    assert [a.body["id"] for a in answers] == users
    statuses = [r["status"] for r in faulty.requests()]
    assert 429 in statuses and graph.retries > 0
    assert 0.25 in slept  # the injected Retry-After was honoured


def test_dropped_post_is_not_repeated_but_get_is(faulty: Emulator) -> None:
    token = _user_token(faulty, "User.Read", "Mail.ReadWrite")
    slept: list[float] = []
    faulty.set_faults(drop_share=1.0, seed=5)
    with _graph(faulty, token, slept, retries=2) as graph:
        with pytest.raises(OperationalError, match="may or may not have been applied"):
            graph.request("POST", "/me/messages", json={"subject": "driver_core drop test"})
        assert graph.requests_sent == 1 and slept == []
        with pytest.raises(OperationalError, match=r"GET /v1\.0/me"):
            graph.get_json("/me")
        assert graph.requests_sent == 1 + 3 and len(slept) == 2  # the GET was tried 1 + 2 times


@given(st.text(), st.text(max_size=10))
def test_query_encoding_round_trips_any_literal(value: str, other: str) -> None:
    from urllib.parse import parse_qsl

    from o365sql.graph import encode_query

    params = {"$filter": f"subject eq {odata_string(value)}", "$select": other or "id"}
    decoded = dict(parse_qsl(encode_query(params), keep_blank_values=True))
    assert decoded == params
    assert (
        httpx.URL("https://graph.test/v1.0/me/messages?" + encode_query(params)).params["$filter"]
        == params["$filter"]
    )


def test_no_token_in_any_log_against_emulator(emulator: Emulator, caplog: pytest.LogCaptureFixture) -> None:
    token = _user_token(emulator, "User.Read")
    caplog.set_level(1)  # every logger, httpx and httpcore included, at their most verbose
    with GraphClient(
        emulator.graph_url, StaticToken(token), http=make_http_client(_props(emulator)), owns_http=True
    ) as graph:
        graph.get_json("/me")
    assert "request-id" in caplog.text  # something was logged
    for part in token.split("."):
        assert part not in caplog.text


def test_path_segment() -> None:
    from o365sql.graph import path_segment

    assert path_segment("AAMkAD==") == "AAMkAD=="
    assert path_segment("o'brien@contoso.com") == "o'brien@contoso.com"
    assert path_segment("a/b?c#d%e f") == "a%2Fb%3Fc%23d%25e%20f"
    assert path_segment("Folder A/file #1.txt", keep_slashes=True) == "Folder%20A/file%20%231.txt"
    for bad in ("", ".", ".."):
        with pytest.raises(ProgrammingError):
            path_segment(bad)
    with pytest.raises(ProgrammingError):
        path_segment("a/../b", keep_slashes=True)
