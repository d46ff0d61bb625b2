"""Everything one emulator run holds: directory, keys, tokens, request log, faults, and the Graph data."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tempfile
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from starlette.requests import Request

from .clock import Clock
from .config import EmulatorConfig
from .directory import Directory, build_directory
from .faults import FaultConfig, FaultSettings
from .identity.records import FlowStore
from .requestlog import RequestLog
from .tokens import SigningKey, TokenRegistry

__all__ = ["EmulatorState", "default_state_dir", "state_of"]


def default_state_dir(host: str, port: int) -> Path:
    """Where a run on host:port keeps ca.pem and emulator.json; `browse` finds the CA here by port."""
    return Path(tempfile.gettempdir()) / "o365sql-emulator" / f"{host}-{port}"


class EmulatorState:
    """The shared state of one run. Routes get it from `request.app.state.emulator`."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.directory: Directory = build_directory(config.seed, config.scale)
        self.key = SigningKey()
        self.clock = Clock()  # what every expiry and timestamp reads; POST /_emulator/clock moves it
        self.tokens = TokenRegistry(
            self.key, self.clock, config.access_token_lifetime, config.refresh_token_lifetime
        )
        self.requests = RequestLog()
        fault_config = FaultConfig.parse(config.faults)
        if config.latency_ms:
            fault_config.latency_ms = config.latency_ms
        self.faults = FaultSettings(fault_config)
        self.base_url = ""  # https://127.0.0.1:PORT, set once the socket is bound
        self.state_dir: Path | None = None
        self.cert_app_pem_path: Path | None = None
        # Pending identity flows (codes, device codes, sign-in sessions), owned by the identity half.
        self.identity = FlowStore()
        # The Graph half's data store, built by the Graph half from the directory (see graph package).
        self.graph: Any = None
        self._cert_app_key_pem, self._cert_app_cert_pem = _make_app_certificate(self.directory.cert_client_id)
        app = self.directory.apps[self.directory.cert_client_id]
        app.certificate_pem = self._cert_app_cert_pem.decode()
        cert = x509.load_pem_x509_certificate(self._cert_app_cert_pem)
        app.certificate_thumbprint = cert.fingerprint(hashes.SHA1()).hex().upper()

    @property
    def graph_url(self) -> str:
        """The Graph base URL, ending in /v1.0."""
        return f"{self.base_url}/v1.0"

    @property
    def authority_host(self) -> str:
        """The https origin of the identity endpoints."""
        return self.base_url

    def write_state_files(self, state_dir: Path) -> None:
        """Write the certificate app's PEM (key + certificate) into the state folder."""
        self.state_dir = state_dir
        path = state_dir / "app-cert.pem"
        path.write_bytes(self._cert_app_key_pem + self._cert_app_cert_pem)
        path.chmod(0o600)
        self.cert_app_pem_path = path

    def info(self, ca_cert: Path) -> dict[str, Any]:
        """The JSON line `serve` prints (design.md section 5), plus extra keys that only add."""
        d = self.directory
        connection_string = ";".join(
            [
                "AuthScheme=AzureAD",
                "InitiateOAuth=GETANDREFRESH",
                f"OAuthClientId={d.public_client_id}",
                f"AzureTenant={d.tenant.id}",
                f"AuthorityHost={self.authority_host}",
                f"GraphURL={self.graph_url}",
                f"SSLServerCert={ca_cert}",
                f"OAuthSettingsLocation=memory://emulator-{self.base_url.rsplit(':', 1)[-1]}",
            ]
        )
        return {
            "graph_url": self.graph_url,
            "authority_host": self.authority_host,
            "ca_cert": str(ca_cert),
            "tenant_id": d.tenant.id,
            "client_id": d.public_client_id,
            "app_client_id": d.confidential_client_id,
            "app_client_secret": d.confidential_client_secret,
            "demo_user": d.demo_user.user_principal_name,
            "connection_string": connection_string,
            # Extensions beyond the published keys:
            "tenant_domain": d.tenant.domain,
            "demo_password": d.demo_user.password,
            "cert_client_id": d.cert_client_id,
            "cert_path": str(self.cert_app_pem_path) if self.cert_app_pem_path else None,
            "cert_thumbprint": d.apps[d.cert_client_id].certificate_thumbprint,
            "state_dir": str(self.state_dir) if self.state_dir else None,
            # Managed identity (App Service flavour): set IDENTITY_ENDPOINT and IDENTITY_HEADER to these.
            "msi_endpoint": self.identity.msi_endpoint or None,
            "msi_header": self.identity.msi_header,
        }

    def info_json(self, ca_cert: Path) -> str:
        """`info` as one JSON line."""
        return json.dumps(self.info(ca_cert), separators=(", ", ": "))


def state_of(request: Request) -> EmulatorState:
    """The run's state, as every route reads it (`request.app.state.emulator`)."""
    state: EmulatorState = request.app.state.emulator
    return state


def _make_app_certificate(client_id: str) -> tuple[bytes, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"o365sql emulator app {client_id[:8]}")])
    now = dt.datetime.now(dt.UTC)  # real time: clients check the certificate by their own clock
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(int(hashlib.sha256(client_id.encode()).hexdigest()[:16], 16))
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return key_pem, cert.public_bytes(serialization.Encoding.PEM)
