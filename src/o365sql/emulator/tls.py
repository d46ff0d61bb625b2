"""The emulator's TLS: a CA made at start (trustme) and a server certificate for 127.0.0.1/localhost."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import trustme

__all__ = ["TLSFiles", "make_tls"]


@dataclass(frozen=True)
class TLSFiles:
    """Paths of the PEM files one run writes into its state folder."""

    ca_cert: Path  # what clients trust (SSLServerCert, verify=)
    server_cert: Path  # the server's chain
    server_key: Path


def make_tls(state_dir: Path) -> TLSFiles:
    """Create a fresh CA and a server certificate valid for 127.0.0.1 and localhost."""
    ca = trustme.CA(organization_name="o365sql emulator", organization_unit_name="test CA")
    server = ca.issue_cert("127.0.0.1", "localhost", "::1")
    files = TLSFiles(
        ca_cert=state_dir / "ca.pem",
        server_cert=state_dir / "server.pem",
        server_key=state_dir / "server.key",
    )
    ca.cert_pem.write_to_path(str(files.ca_cert))
    server.cert_chain_pems[0].write_to_path(str(files.server_cert))
    for extra in server.cert_chain_pems[1:]:
        extra.write_to_path(str(files.server_cert), append=True)
    server.private_key_pem.write_to_path(str(files.server_key))
    files.server_key.chmod(0o600)
    return files
