"""The sign-in listener: reachable on both loopback addresses, never elsewhere; malformed requests answered
400 without a traceback; forged redirects ignored."""

from __future__ import annotations

import socket

import httpx
import pytest

from o365sql.auth._listener import LoopbackListener
from o365sql.errors import OperationalError


def _has_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
        return True
    except OSError:
        return False


def test_the_redirect_arrives_over_ipv6_loopback() -> None:
    """A browser that resolves localhost to ::1 can deliver the redirect (where the machine has IPv6)."""
    listener = LoopbackListener(0, "/", expected_state="s1").start()
    assert listener.addresses == (["127.0.0.1", "::1"] if _has_ipv6_loopback() else ["127.0.0.1"])
    host = "[::1]" if "::1" in listener.addresses else "127.0.0.1"
    with httpx.Client(trust_env=False) as client:
        r = client.get(f"http://{host}:{listener.port}/", params={"code": "c1", "state": "s1"})
    assert r.status_code == 200
    assert listener.wait(5)["code"] == "c1"


def test_no_address_but_loopback_is_listened_on() -> None:
    listener = LoopbackListener(0, "/", expected_state="s").start()
    try:
        assert set(listener.addresses) <= {"127.0.0.1", "::1"}
    finally:
        listener.close()


@pytest.mark.parametrize("length", ["abc", "-5", "1e3", "  "])
def test_a_bad_content_length_is_a_400_not_a_traceback(
    capfd: pytest.CaptureFixture[str], length: str
) -> None:
    listener = LoopbackListener(0, "/", expected_state="s").start()
    try:
        with socket.create_connection(("127.0.0.1", listener.port), timeout=5) as sock:
            sock.sendall(
                f"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: {length}\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n\r\n".encode()
            )
            reply = sock.recv(4096).decode("latin-1")
        assert reply.startswith("HTTP/1.0 400") or reply.startswith("HTTP/1.1 400")
        with pytest.raises(OperationalError, match="No sign-in redirect"):
            listener.wait(0.2)
    finally:
        listener.close()
    assert "Traceback" not in capfd.readouterr().err


def test_a_forged_redirect_without_the_state_is_ignored() -> None:
    listener = LoopbackListener(0, "/", expected_state="right").start()
    with httpx.Client(trust_env=False) as client:
        r = client.get(f"http://127.0.0.1:{listener.port}/", params={"code": "evil", "state": "wrong"})
        assert r.status_code == 400
        client.get(f"http://127.0.0.1:{listener.port}/", params={"code": "good", "state": "right"})
    assert listener.wait(5)["code"] == "good"
