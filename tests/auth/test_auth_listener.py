"""The loopback listener: 127.0.0.1 only, state checked, one callback (GET or form_post), stop or time out."""

from __future__ import annotations

import socket
import threading
import time

import httpx
import pytest

from o365sql.auth._listener import LoopbackListener, open_browser, redirect_uri_for
from o365sql.errors import OperationalError


def _other_addresses() -> list[str]:
    """Addresses of this machine other than loopback (empty when it has none)."""
    found: set[str] = set()
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            found.add(str(info[4][0]))
    except OSError:
        pass
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))  # no packet is sent; this only picks the outgoing interface
            found.add(s.getsockname()[0])
        except OSError:
            pass
    return [a for a in found if not a.startswith("127.")]


def test_binds_loopback_only() -> None:
    with LoopbackListener(0, "/", "s") as listener:
        host, port = listener._server.server_address[:2]
        assert host == "127.0.0.1"
        for address in _other_addresses():
            with socket.socket() as s, pytest.raises(OSError):
                s.settimeout(1)
                s.connect((address, port))


def test_wrong_state_is_ignored_then_the_right_one_is_taken() -> None:
    listener = LoopbackListener(0, "/cb", "good-state").start()
    base = f"http://127.0.0.1:{listener.port}"
    results: list[dict[str, str]] = []
    waiter = threading.Thread(target=lambda: results.append(listener.wait(10)))
    waiter.start()
    with httpx.Client() as client:
        r = client.get(f"{base}/cb", params={"code": "attacker-code", "state": "forged"})
        assert r.status_code == 400 and "does not belong" in r.text
        assert client.get(f"{base}/favicon.ico").status_code == 404
        time.sleep(0.1)
        assert waiter.is_alive()  # still waiting
        r = client.post(f"{base}/cb", data={"code": "the-code", "state": "good-state", "client_info": "x"})
        assert r.status_code == 200 and "close this window" in r.text
    waiter.join(5)
    assert results == [{"code": "the-code", "state": "good-state", "client_info": "x"}]
    # stopped after one good callback
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{base}/cb", params={"code": "c2", "state": "good-state"}, timeout=2)


def test_get_query_callback_and_error_callback() -> None:
    listener = LoopbackListener(0, "/", "st").start()
    r = httpx.get(f"http://127.0.0.1:{listener.port}/?error=access_denied&error_description=no&state=st")
    assert r.status_code == 200
    assert listener.wait(5)["error"] == "access_denied"


def test_times_out_with_a_clear_error() -> None:
    listener = LoopbackListener(0, "/", "st").start()
    port = listener.port
    with pytest.raises(OperationalError, match=r"No sign-in redirect .* within 0.5 s"):
        listener.wait(0.5)
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/?code=x&state=st", timeout=2)


def test_busy_port_says_what_to_do() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        with pytest.raises(OperationalError, match="CallbackURL"):
            LoopbackListener(s.getsockname()[1], "/", "st")


def test_redirect_uri_gets_the_real_port() -> None:
    assert redirect_uri_for("http://localhost:0", 5555) == "http://localhost:5555"
    assert redirect_uri_for("http://localhost/callback", 5555) == "http://localhost:5555/callback"


def test_open_browser_reads_browser_now(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "opened.txt"
    monkeypatch.setenv("BROWSER", f"sh -c 'echo \"$0\" > {out}' %s")
    assert open_browser("https://example.test/x?y=1")
    assert out.read_text().strip() == "https://example.test/x?y=1"


def test_an_idle_connection_does_not_block_the_redirect() -> None:
    listener = LoopbackListener(0, "/", "st").start()
    with socket.create_connection(("127.0.0.1", listener.port)):  # like a browser's preconnect: sends nothing
        r = httpx.get(f"http://127.0.0.1:{listener.port}/?code=c&state=st", timeout=5)
        assert r.status_code == 200
        assert listener.wait(5)["code"] == "c"  # closing does not wait for the idle connection
