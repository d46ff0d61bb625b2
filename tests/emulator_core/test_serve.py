"""The emulator's published contract: the `serve` JSON line, the admin routes, the Python API."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from o365sql.emulator import Emulator
from o365sql.emulator.faults import FaultConfig

PUBLISHED_KEYS = {
    "graph_url",
    "authority_host",
    "ca_cert",
    "tenant_id",
    "client_id",
    "app_client_id",
    "app_client_secret",
    "demo_user",
    "connection_string",
}


def test_serve_prints_one_json_line_and_serves_https() -> None:
    with subprocess.Popen(
        [sys.executable, "-m", "o365sql.emulator", "serve", "--port", "0", "--data", "empty"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    ) as proc:
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            info = json.loads(line)
            assert info.keys() >= PUBLISHED_KEYS
            assert info["graph_url"].startswith("https://127.0.0.1:") and info["graph_url"].endswith("/v1.0")
            assert info["graph_url"] == info["authority_host"] + "/v1.0"
            assert Path(info["ca_cert"]).is_file()
            assert info["demo_user"].endswith("@" + info["tenant_domain"])
            for part in (
                "InitiateOAuth=GETANDREFRESH",
                f"OAuthClientId={info['client_id']}",
                f"GraphURL={info['graph_url']}",
                f"SSLServerCert={info['ca_cert']}",
            ):
                assert part in info["connection_string"]
            import ssl

            ctx = ssl.create_default_context(cafile=info["ca_cert"])
            with httpx.Client(verify=ctx) as client:
                assert client.get(info["authority_host"] + "/_emulator/requests").json() == []
            # A client that does not trust the run's CA is refused: verification is real.
            with (
                httpx.Client(verify=ssl.create_default_context(cafile=None)) as client,
                pytest.raises(httpx.ConnectError),
            ):
                client.get(info["authority_host"] + "/_emulator/requests")
        finally:
            proc.terminate()
            proc.wait(timeout=10)
        assert proc.stdout.read() == ""  # exactly one line
    assert not Path(info["state_dir"]).exists()  # the default state folder goes with the run


def test_serve_keeps_a_named_state_dir(tmp_path: Path) -> None:
    state_dir = tmp_path / "emu-state"
    with subprocess.Popen(
        [sys.executable, "-m", "o365sql.emulator", "serve", "--data", "empty", "--state-dir", str(state_dir)],
        stdout=subprocess.PIPE,
        text=True,
    ) as proc:
        try:
            assert proc.stdout is not None
            info = json.loads(proc.stdout.readline())
            assert info["state_dir"] == str(state_dir)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    assert json.loads((state_dir / "emulator.json").read_text()) == info
    assert (state_dir / "ca.pem").is_file()


def test_state_folder_of_the_python_api(tmp_path: Path) -> None:
    """Emulator(): the default folder is removed on stop; Emulator(state_dir=...) keeps its folder."""
    with Emulator(data="empty") as emu:
        default = Path(emu.state_dir)
        assert (default / "ca.pem").is_file()
    assert not default.exists()
    with Emulator(data="empty", state_dir=tmp_path / "kept") as emu:
        assert emu.state_dir == str(tmp_path / "kept")
    assert (tmp_path / "kept" / "ca.pem").is_file()


def test_admin_request_log_reset_and_faults(make_emulator: Callable[..., Emulator]) -> None:
    emulator = make_emulator(data="empty")  # its own: it counts the log, sets faults and expires tokens
    with emulator.http_client() as client:
        emulator.reset()
        client.get(emulator.authority_host + "/nowhere", params={"a": "1"})
        log = emulator.requests()
        assert log == [
            {
                "method": "GET",
                "path": "/nowhere",
                "query": "a=1",
                "status": 404,
                "bytes": len("Not Found"),
                "raw_path": "/nowhere",
            }
        ]
        emulator.reset()
        assert emulator.requests() == []
        try:
            shown = emulator.set_faults(throttle_share=0.5, retry_after=2.5)
            assert shown["throttle_share"] == 0.5 and shown["retry_after"] == 2.5
            assert client.get(emulator.authority_host + "/_emulator/faults").json() == shown
            bad = client.post(emulator.authority_host + "/_emulator/faults", json={"nope": 1})
            assert bad.status_code == 400 and "nope" in bad.json()["error"]
        finally:
            emulator.set_faults()
        assert client.get(emulator.authority_host + "/_emulator/faults").json() == FaultConfig().to_json()
        assert client.post(emulator.authority_host + "/_emulator/tokens/expire").status_code == 200
        info = client.get(emulator.authority_host + "/_emulator/info").json()
        assert info["graph_url"] == emulator.graph_url


def test_token_admin_routes_change_what_graph_accepts() -> None:
    with Emulator(data="empty") as emu:
        users = emu.state.directory
        token, _ = emu.state.tokens.issue_access(
            tenant_id=users.tenant.id,
            client_id=users.public_client_id,
            user_id=users.demo_user.id,
            scopes=frozenset({"User.Read"}),
        )
        assert emu.state.tokens.check_access(token).grant is not None
        emu.expire_tokens()
        assert emu.state.tokens.check_access(token).error == "expired"
        rt = emu.state.tokens.issue_refresh(
            tenant_id=users.tenant.id,
            client_id=users.public_client_id,
            user_id=users.demo_user.id,
            scopes=frozenset({"User.Read"}),
        )
        emu.revoke_tokens()
        assert emu.state.tokens.find_refresh(rt.token).revoked
        assert emu.state.tokens.check_access("not-a-jwt").error == "malformed"
        assert emu.state.tokens.check_access("").error == "empty"


def test_fault_spec_parsing() -> None:
    config = FaultConfig.parse("throttle_share=0.25, retry_after=1.5,concurrency=4,retry_after=none")
    assert config.throttle_share == 0.25 and config.concurrency == 4 and config.retry_after is None
    with pytest.raises(ValueError, match="unknown fault setting 'bogus'"):
        FaultConfig.parse("bogus=1")
    with pytest.raises(ValueError, match="not key=value"):
        FaultConfig.parse("throttle_share")
    with pytest.raises(ValueError, match="takes a number"):
        FaultConfig.parse("concurrency=four")


def test_demo_directory_is_deterministic() -> None:
    from o365sql.emulator.directory import build_directory

    a, b = build_directory(7), build_directory(7)
    assert [u.user_principal_name for u in a.users] == [u.user_principal_name for u in b.users]
    assert a.tenant.id == b.tenant.id and a.confidential_client_secret == b.confidential_client_secret
    assert len(a.users) >= 10 and len({u.user_principal_name for u in a.users}) == len(a.users)
    assert build_directory(8).tenant.id != a.tenant.id


def test_a_run_never_stopped_still_removes_its_state_folder() -> None:
    """A script that starts an emulator and exits without stopping it leaves no state folder behind."""
    script = "from o365sql.emulator import Emulator; print(Emulator(data='empty').start().state_dir)"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    state_dir = Path(done.stdout.strip())
    assert state_dir.name.startswith("127.0.0.1-") and not state_dir.exists()
