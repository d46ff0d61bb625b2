"""GraphClient against respx mocks: paging, retries, throttling, 401 refresh, $batch, logging."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from email.utils import format_datetime
from typing import Any

import httpx
import pytest
import respx

from o365sql.errors import (
    GraphAuthenticationError,
    InterfaceError,
    NotFoundError,
    OperationalError,
    PermissionDeniedError,
    ProgrammingError,
    ServiceUnavailableError,
    ThrottledError,
)
from o365sql.graph import BatchRequest, GraphClient, RetryPolicy, parse_retry_after

BASE = "https://graph.test/v1.0"
NOW = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


class FakeTokens:
    """A TokenProvider that hands out numbered tokens and records each call."""

    def __init__(self, prefix: str = "tok", app_only: bool = False) -> None:
        self.prefix = prefix
        self.calls: list[bool] = []
        self.generation = 1
        self._app_only = app_only

    @property
    def app_only(self) -> bool:
        return self._app_only

    def get_token(self, *, force_refresh: bool = False) -> str:
        self.calls.append(force_refresh)
        if force_refresh:
            self.generation += 1
        return f"{self.prefix}-{self.generation}"


class Recorder:
    """An injectable sleep that records delays instead of waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def sleeps() -> Recorder:
    return Recorder()


@pytest.fixture
def tokens() -> FakeTokens:
    return FakeTokens()


@pytest.fixture
def mock() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        yield router


@pytest.fixture
def client(tokens: FakeTokens, sleeps: Recorder) -> Iterator[GraphClient]:
    policy = RetryPolicy(
        max_retries=4, base_delay=1.0, max_delay=8.0, sleep=sleeps, jitter=lambda: 0.5, now=lambda: NOW
    )
    with GraphClient(BASE, tokens, http=httpx.Client(), retry=policy, owns_http=True) as graph:
        yield graph


def _err(code: str, status_message: str = "nope") -> dict[str, Any]:
    return {"error": {"code": code, "message": status_message, "innerError": {"request-id": "inner"}}}


# -- paging ----------------------------------------------------------------------------------------


def test_paging_follows_whole_next_links_lazily_including_empty_pages(
    client: GraphClient, mock: respx.MockRouter
) -> None:
    page2 = f"{BASE}/me/messages?%24skip=10&%24top=2&opaque=keep%2Bme"
    page3 = f"{BASE}/me/messages?$skiptoken=X%3D%3D"
    # most specific first: respx's params pattern matches a superset of parameters too
    second = mock.get(url=page2).respond(json={"value": [], "@odata.nextLink": page3})
    third = mock.get(url=page3).respond(json={"value": [{"id": "3"}]})
    first = mock.get(url=f"{BASE}/me/messages?$top=2").respond(
        json={"value": [{"id": "1"}, {"id": "2"}], "@odata.nextLink": page2}
    )

    items = client.iter_items("/me/messages", {"$top": "2"}, headers={"ConsistencyLevel": "eventual"})
    assert first.call_count == 0  # lazy: nothing sent before the first item is asked for
    assert next(items) == {"id": "1"}
    assert next(items) == {"id": "2"}
    assert second.call_count == 0
    assert [i["id"] for i in items] == ["3"]
    assert (first.call_count, second.call_count, third.call_count) == (1, 1, 1)
    # the nextLink was used as given (not rebuilt), and headers were resent on every page
    assert str(second.calls[0].request.url) == page2
    for route in (first, second, third):
        assert route.calls[0].request.headers["ConsistencyLevel"] == "eventual"
    assert client.requests_sent == 3


def test_prefetch_fetches_one_page_ahead(client: GraphClient, mock: respx.MockRouter) -> None:
    def page(n: int) -> dict[str, Any]:
        items = [{"id": f"{n}-{i}"} for i in range(4)]
        return {"value": items, **({"@odata.nextLink": f"{BASE}/me/messages?p={n + 1}"} if n < 3 else {})}

    routes = [mock.get(url=f"{BASE}/me/messages?p={n}").respond(json=page(n)) for n in (2, 3)]
    routes.insert(0, mock.get(url=f"{BASE}/me/messages?$top=4").respond(json=page(1)))
    items = client.iter_items("/me/messages", {"$top": "4"}, prefetch=True)
    got = [next(items) for _ in range(2)]  # the first page's first half: nothing fetched ahead yet
    assert [r.call_count for r in routes] == [1, 0, 0]
    got.append(next(items))  # halfway through the first page: page 2 is on its way
    got.extend(items)
    assert [i["id"] for i in got] == [f"{n}-{i}" for n in (1, 2, 3) for i in range(4)]
    assert [r.call_count for r in routes] == [1, 1, 1]  # each page exactly once


def test_prefetch_abandoned_scan_is_closed_cleanly(client: GraphClient, mock: respx.MockRouter) -> None:
    mock.get(url=f"{BASE}/me/messages?p=2").respond(json={"value": [{"id": "b"}]})
    first = mock.get(url=f"{BASE}/me/messages").respond(
        json={"value": [{"id": "a1"}, {"id": "a2"}], "@odata.nextLink": f"{BASE}/me/messages?p=2"}
    )
    items = client.iter_items("/me/messages", prefetch=True)
    assert next(items)["id"] == "a1"
    assert next(items)["id"] == "a2"
    items.close()  # waits for the page fetched ahead instead of closing a running generator
    assert first.call_count == 1
    without = client.iter_items("/me/messages")  # no prefetch: the next page only when reached
    assert [next(without)["id"], next(without)["id"]] == ["a1", "a2"]
    assert mock.routes[0].call_count == 1  # page 2: once, fetched ahead by the first scan only
    without.close()


def test_paging_single_entity_and_empty_collection(client: GraphClient, mock: respx.MockRouter) -> None:
    mock.get("/me").respond(json={"id": "me-id", "displayName": "Me"})
    mock.get("/me/contacts").respond(json={"value": []})
    assert list(client.iter_items("/me")) == [{"id": "me-id", "displayName": "Me"}]
    assert list(client.iter_items("/me/contacts")) == []


def test_pages_expose_delta_link(client: GraphClient, mock: respx.MockRouter) -> None:
    mock.get("/users/delta").respond(
        json={"value": [{"id": "u"}], "@odata.deltaLink": f"{BASE}/users/delta?d=1"}
    )
    pages = list(client.iter_pages("/users/delta"))
    assert pages[-1]["@odata.deltaLink"].endswith("d=1")


def test_next_link_to_another_host_is_refused(client: GraphClient, mock: respx.MockRouter) -> None:
    mock.get("/me/messages").respond(
        json={"value": [{"id": "1"}], "@odata.nextLink": "https://evil.test/steal"}
    )
    items = client.iter_items("/me/messages")
    assert next(items)["id"] == "1"
    with pytest.raises(ProgrammingError, match="Refusing to send the access token"):
        next(items)


def test_query_encoding_keeps_filter_meaning(client: GraphClient, mock: respx.MockRouter) -> None:
    route = mock.get("/users").respond(json={"value": []})
    client.get_json("/users", {"$filter": "displayName eq 'a+b & c=d #x'", "$select": "id,displayName"})
    raw = route.calls[0].request.url.query.decode()
    assert raw == "$filter=displayName%20eq%20'a%2Bb%20%26%20c%3Dd%20%23x'&$select=id,displayName"
    assert route.calls[0].request.url.params["$filter"] == "displayName eq 'a+b & c=d #x'"


def test_headers_sent(client: GraphClient, mock: respx.MockRouter) -> None:
    route = mock.get("/me").respond(json={"id": "x"})
    client.get_json("/me")
    client.get_json("/me")
    first, second = (c.request.headers for c in route.calls)
    assert first["Authorization"] == "Bearer tok-1"
    uuid.UUID(first["client-request-id"])
    assert first["client-request-id"] != second["client-request-id"]
    assert first["Accept"] == "application/json"


# -- retries ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [("3", 3.0), ("2.128", 2.128), (format_datetime(NOW + dt.timedelta(seconds=7), usegmt=True), 7.0)],
    ids=["integer", "fraction", "http-date"],
)
def test_retry_after_honoured(
    client: GraphClient, mock: respx.MockRouter, sleeps: Recorder, header: str, expected: float
) -> None:
    route = mock.get("/me/messages").mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": header}, json=_err("TooManyRequests")),
            httpx.Response(429, headers={"Retry-After": header}, json=_err("TooManyRequests")),
            httpx.Response(200, json={"value": [{"id": "a"}]}),
        ]
    )
    assert [m["id"] for m in client.iter_items("/me/messages")] == ["a"]
    assert sleeps.delays == pytest.approx([expected, expected])
    assert route.call_count == 3 and client.retries == 2


def test_parse_retry_after_forms() -> None:
    assert parse_retry_after("10") == 10.0
    assert parse_retry_after(" 2.5 ") == 2.5
    assert parse_retry_after("-4") == 0.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=NOW) == 0.0  # in the past: go now
    assert (
        parse_retry_after("soon") is None
        and parse_retry_after(None) is None
        and parse_retry_after("") is None
    )


def test_503_without_retry_after_backs_off_exponentially(
    client: GraphClient, mock: respx.MockRouter, sleeps: Recorder
) -> None:
    mock.get("/me").mock(
        side_effect=[httpx.Response(503, json=_err("serviceNotAvailable"))] * 4
        + [httpx.Response(200, json={"a": 1})]
    )
    assert client.get_json("/me") == {"a": 1}
    # base 1 s doubling, capped at 8 s, jitter fixed at 0.5 -> 75% of the ceiling
    assert sleeps.delays == pytest.approx([0.75, 1.5, 3.0, 6.0])


def test_backoff_jitter_spreads_and_caps() -> None:
    low = RetryPolicy(base_delay=1, max_delay=4, jitter=lambda: 0.0)
    high = RetryPolicy(base_delay=1, max_delay=4, jitter=lambda: 0.999999)
    assert [low.backoff(a) for a in range(4)] == [0.5, 1.0, 2.0, 2.0]
    assert [round(high.backoff(a), 3) for a in range(4)] == [1.0, 2.0, 4.0, 4.0]


def test_retries_run_out(client: GraphClient, mock: respx.MockRouter, sleeps: Recorder) -> None:
    route = mock.get("/me").respond(503, json=_err("serviceNotAvailable"), headers={"request-id": "rid-9"})
    with pytest.raises(ServiceUnavailableError) as info:
        client.get_json("/me")
    assert route.call_count == 5 and len(sleeps.delays) == 4
    assert info.value.status == 503 and info.value.request_id == "rid-9"


def test_429_after_retries_is_throttled_error(client: GraphClient, mock: respx.MockRouter) -> None:
    mock.get("/me").respond(429, json=_err("TooManyRequests"), headers={"Retry-After": "1"})
    with pytest.raises(ThrottledError) as info:
        client.get_json("/me")
    assert info.value.code == "TooManyRequests" and "try again" in info.value.message


def test_retry_after_too_long_is_not_waited(
    client: GraphClient, mock: respx.MockRouter, sleeps: Recorder
) -> None:
    mock.get("/me").respond(429, json=_err("TooManyRequests"), headers={"Retry-After": "3600"})
    with pytest.raises(ThrottledError, match="asked to wait 3600 s"):
        client.get_json("/me")
    assert sleeps.delays == []


def test_post_throttled_is_retried(client: GraphClient, mock: respx.MockRouter, sleeps: Recorder) -> None:
    # a 429 means the request was refused, not applied, so repeating a POST is safe
    route = mock.post("/me/sendMail").mock(
        side_effect=[httpx.Response(429, headers={"Retry-After": "1"}), httpx.Response(202)]
    )
    client.request("POST", "/me/sendMail", json={"message": {}})
    assert route.call_count == 2 and sleeps.delays == [1.0]


def test_post_gateway_timeout_not_repeated(client: GraphClient, mock: respx.MockRouter) -> None:
    route = mock.post("/me/sendMail").respond(504, json=_err("GatewayTimeout"))
    with pytest.raises(OperationalError, match="may or may not have been applied"):
        client.request("POST", "/me/sendMail", json={"message": {}})
    assert route.call_count == 1


def test_post_not_retried_on_dropped_connection(
    client: GraphClient, mock: respx.MockRouter, sleeps: Recorder
) -> None:
    route = mock.post("/me/messages").mock(side_effect=httpx.RemoteProtocolError("Server disconnected"))
    with pytest.raises(OperationalError) as info:
        client.request("POST", "/me/messages", json={"subject": "x"})
    assert route.call_count == 1 and sleeps.delays == []
    assert "may or may not have been applied" in str(info.value)
    assert info.value.request_id  # our client-request-id, for support


def test_post_retried_when_connection_never_opened(
    client: GraphClient, mock: respx.MockRouter, sleeps: Recorder
) -> None:
    route = mock.post("/me/messages").mock(
        side_effect=[httpx.ConnectError("refused"), httpx.Response(201, json={})]
    )
    client.request("POST", "/me/messages", json={"subject": "x"})
    assert route.call_count == 2 and len(sleeps.delays) == 1


def test_get_retried_on_dropped_connection(
    client: GraphClient, mock: respx.MockRouter, sleeps: Recorder
) -> None:
    route = mock.get("/me").mock(
        side_effect=[
            httpx.ReadTimeout("slow"),
            httpx.RemoteProtocolError("gone"),
            httpx.Response(200, json={}),
        ]
    )
    assert client.get_json("/me") == {}
    assert route.call_count == 3 and len(sleeps.delays) == 2


def test_network_failure_message(client: GraphClient, mock: respx.MockRouter) -> None:
    mock.get("/me").mock(side_effect=httpx.ConnectError("Name or service not known"))
    with pytest.raises(OperationalError, match=r"cannot reach graph\.test") as info:
        client.get_json("/me")
    assert "ProxyServer" in str(info.value)


# -- 401 -------------------------------------------------------------------------------------------


def test_401_refreshes_once_then_retries(
    client: GraphClient, mock: respx.MockRouter, tokens: FakeTokens
) -> None:
    route = mock.get("/me").mock(
        side_effect=[
            httpx.Response(401, json=_err("InvalidAuthenticationToken")),
            httpx.Response(200, json={"ok": 1}),
        ]
    )
    assert client.get_json("/me") == {"ok": 1}
    assert tokens.calls == [False, True]
    assert [c.request.headers["Authorization"] for c in route.calls] == ["Bearer tok-1", "Bearer tok-2"]


def test_401_twice_raises_after_exactly_one_refresh(
    client: GraphClient, mock: respx.MockRouter, tokens: FakeTokens
) -> None:
    route = mock.get("/me").respond(401, json=_err("InvalidAuthenticationToken", "Access token has expired."))
    with pytest.raises(GraphAuthenticationError) as info:
        client.get_json("/me")
    assert route.call_count == 2 and tokens.calls == [False, True]
    assert "InitiateOAuth=GETANDREFRESH" in str(info.value) and "tok-" not in str(info.value)


# -- error mapping ---------------------------------------------------------------------------------


def test_403_names_permissions(mock: respx.MockRouter, sleeps: Recorder) -> None:
    graph = GraphClient(BASE, FakeTokens(app_only=True), http=httpx.Client(), retry=RetryPolicy(sleep=sleeps))
    mock.get("/users").respond(403, json=_err("Authorization_RequestDenied", "Insufficient privileges."))
    with pytest.raises(PermissionDeniedError) as info:
        graph.get_json("/users", permissions=(["User.Read.All"], ["User.Read.All"]))
    assert "GET /v1.0/users" in str(info.value) and "User.Read.All application permission" in str(info.value)
    assert info.value.request_id == "inner"


def test_404_maps(client: GraphClient, mock: respx.MockRouter) -> None:
    mock.get("/me/messages/x").respond(404, json=_err("ErrorItemNotFound"), headers={"request-id": "r404"})
    with pytest.raises(NotFoundError) as info:
        client.get_json("/me/messages/x")
    assert info.value.request_id == "r404" and info.value.code == "ErrorItemNotFound"


def test_non_json_answer(client: GraphClient, mock: respx.MockRouter) -> None:
    mock.get("/me").respond(200, text="<html/>", headers={"Content-Type": "text/html"})
    with pytest.raises(OperationalError, match="not JSON"):
        client.get_json("/me")


def test_closed_client_refuses(client: GraphClient) -> None:
    client.close()
    with pytest.raises(InterfaceError):
        client.get_json("/me")


def test_download_follows_redirect_without_token(tokens: FakeTokens, sleeps: Recorder) -> None:
    with respx.mock(assert_all_called=True) as router:
        router.get(f"{BASE}/me/drive/items/1/content").respond(
            302, headers={"Location": "https://files.test/dl?s=1"}
        )
        download = router.get("https://files.test/dl").respond(200, content=b"\x00bytes")
        graph = GraphClient(BASE, tokens, http=httpx.Client(), retry=RetryPolicy(sleep=sleeps))
        assert graph.get_bytes("/me/drive/items/1/content") == b"\x00bytes"
    assert "Authorization" not in download.calls[0].request.headers


# -- $batch ----------------------------------------------------------------------------------------


def _batch_answer(request: httpx.Request, statuses: dict[str, int], retry_after: str = "2") -> httpx.Response:
    payload = json.loads(request.content)
    responses = []
    for item in reversed(payload["requests"]):  # out of order, as Graph may answer
        status = statuses.get(item["id"], 200)
        body: dict[str, Any] = (
            {"id": item["id"], "url": item["url"]} if status == 200 else _err("TooManyRequests")
        )
        headers = {"Retry-After": retry_after} if status == 429 else {"Content-Type": "application/json"}
        responses.append({"id": item["id"], "status": status, "headers": headers, "body": body})
    return httpx.Response(200, json={"responses": responses})


def test_batch_chunks_of_20_relative_urls_input_order(client: GraphClient, mock: respx.MockRouter) -> None:
    route = mock.post("/$batch").mock(side_effect=lambda request: _batch_answer(request, {}))
    reqs = [BatchRequest(str(i), "GET", f"/users/{i}?$select=id") for i in range(45)]
    reqs[0] = BatchRequest("0", "GET", f"{BASE}/users/0?$select=id")  # absolute under GraphURL is accepted
    answers = client.batch(reqs)
    assert route.call_count == 3
    sizes = [len(json.loads(c.request.content)["requests"]) for c in route.calls]
    assert sizes == [20, 20, 5]
    first = json.loads(route.calls[0].request.content)["requests"]
    assert first[0]["url"] == "/users/0?$select=id" and first[1]["url"] == "/users/1?$select=id"
    assert [a.id for a in answers] == [str(i) for i in range(45)]
    assert all(a.ok and a.body["url"] == f"/users/{a.id}?$select=id" for a in answers)


def test_batch_retries_throttled_items_only(
    client: GraphClient, mock: respx.MockRouter, sleeps: Recorder
) -> None:
    rounds = [{"b": 429, "c": 429}, {"c": 429}, {}]
    route = mock.post("/$batch").mock(
        side_effect=lambda request: _batch_answer(request, rounds.pop(0), "1.5")
    )
    answers = client.batch([BatchRequest(i, "GET", f"/users/{i}") for i in "abc"])
    assert [a.status for a in answers] == [200, 200, 200]
    sent = [[r["id"] for r in json.loads(c.request.content)["requests"]] for c in route.calls]
    assert sent == [["a", "b", "c"], ["b", "c"], ["c"]]
    assert sleeps.delays == [1.5, 1.5]


def test_batch_item_errors_are_mapped(client: GraphClient, mock: respx.MockRouter) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            json={
                "responses": [
                    {"id": "1", "status": 200, "headers": {}, "body": {"id": "u1"}},
                    {"id": "2", "status": 404, "headers": {}, "body": _err("Request_ResourceNotFound")},
                    {"id": "3", "status": 403, "headers": {}, "body": _err("Authorization_RequestDenied")},
                ]
            },
        )

    mock.post("/$batch").mock(side_effect=answer)
    ok, missing, denied = client.batch([BatchRequest(str(i), "GET", f"/users/u{i}") for i in (1, 2, 3)])
    assert ok.error() is None
    assert isinstance(missing.error(), NotFoundError)
    with pytest.raises(PermissionDeniedError, match=r"GET /users/u3 \(in \$batch\).*User.Read.All"):
        denied.raise_for_status(permissions=(["User.Read.All"], ["User.Read.All"]))


def test_batch_bodies_and_validation(client: GraphClient, mock: respx.MockRouter) -> None:
    route = mock.post("/$batch").mock(side_effect=lambda request: _batch_answer(request, {}))
    client.batch(
        [
            BatchRequest("1", "PATCH", "/me/messages/m1", body={"isRead": True}),
            BatchRequest("2", "PUT", "/me/drive/root:/a.bin:/content", body=b"\x01\x02", depends_on=("1",)),
        ]
    )
    items = json.loads(route.calls[0].request.content)["requests"]
    assert items[0]["headers"]["Content-Type"] == "application/json" and items[0]["body"] == {"isRead": True}
    assert items[1]["body"] == "AQI=" and items[1]["dependsOn"] == ["1"]
    with pytest.raises(ProgrammingError, match="unique"):
        client.batch([BatchRequest("x", "GET", "/me"), BatchRequest("x", "GET", "/me")])
    with pytest.raises(ProgrammingError, match="same chunk"):
        client.batch(
            [BatchRequest(str(i), "GET", "/me", depends_on=("0",) if i == 25 else ()) for i in range(30)]
        )
    assert client.batch([]) == []


# -- logging ---------------------------------------------------------------------------------------


def test_no_token_or_secret_in_logs_at_most_verbose(
    client: GraphClient, mock: respx.MockRouter, tokens: FakeTokens, caplog: pytest.LogCaptureFixture
) -> None:
    tokens.prefix = "eyJhbGciOiJSUzI1NiJ9.eyJzZWNyZXQiOiJ0b2tlbiJ9.c2lnbmF0dXJlLXRva2Vu"
    caplog.set_level(1, logger="o365sql")
    mock.get("/me").mock(
        side_effect=[
            httpx.Response(401, json=_err("InvalidAuthenticationToken")),
            httpx.Response(200, json={"id": "1"}),
        ]
    )
    mock.post("/me/sendMail").respond(202, json={"echo": {"refresh_token": "0.REFRESH-SECRET"}})
    client.get_json("/me")
    client.request("POST", "/me/sendMail", json={"client_secret": "CLIENT-SECRET", "code": "AUTH-CODE"})
    text = caplog.text
    assert "GET https://graph.test/v1.0/me -> 401" in text and "-> body" in text  # bodies were logged
    for secret in (
        "eyJhbGciOiJSUzI1NiJ9",
        "c2lnbmF0dXJlLXRva2Vu",
        "0.REFRESH-SECRET",
        "CLIENT-SECRET",
        "AUTH-CODE",
    ):
        assert secret not in text
    assert all(r.name.startswith("o365sql") for r in caplog.records)


@pytest.mark.parametrize(
    ("verbosity", "lines", "headers", "bodies"),
    [(1, False, False, False), (2, True, False, False), (3, True, True, False), (5, True, True, True)],
)
def test_log_detail_follows_verbosity(
    client: GraphClient,
    mock: respx.MockRouter,
    caplog: pytest.LogCaptureFixture,
    verbosity: int,
    lines: bool,
    headers: bool,
    bodies: bool,
) -> None:
    from o365sql.properties import log_level_for

    caplog.set_level(log_level_for(verbosity), logger="o365sql")
    mock.post("/me/messages").respond(201, json={"id": "new"})
    client.request("POST", "/me/messages", json={"subject": "hello"})
    assert ("POST https://graph.test/v1.0/me/messages -> 201" in caplog.text) is lines
    assert ("'authorization': '********'" in caplog.text) is headers
    assert ('"subject":"hello"' in caplog.text) is bodies
    assert "tok-1" not in caplog.text
