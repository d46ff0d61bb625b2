"""o365sql.connect(): wiring of properties, HTTP client, token provider, Graph client and engine; no I/O on
connect; and (against the emulator) statements that really reach Graph."""

from __future__ import annotations

from typing import Any

import pytest
from dbapi_helpers import SECRET

import o365sql

DELEGATED_SCOPES = frozenset(
    {"User.Read", "User.Read.All", "Mail.ReadWrite", "Mail.Send", "Calendars.ReadWrite", "Contacts.ReadWrite",
     "Files.ReadWrite.All", "Group.Read.All", "GroupMember.Read.All"}
)  # fmt: skip

# nothing listens on port 9 (discard): any network I/O during connect would fail the test
OFFLINE = "InitiateOAuth=OFF;OAuthAccessToken=abc;GraphURL=https://127.0.0.1:9/v1.0"


def test_connect_does_no_network_io() -> None:
    with o365sql.connect(OFFLINE) as con:
        assert not con.closed
        assert con.execute("SELECT count(*) FROM sys_connection_props").fetchone()[0] > 10
        assert con.properties["GraphURL"] == "https://127.0.0.1:9/v1.0"
    assert con.closed


@pytest.mark.parametrize(
    "flow",
    [
        "InitiateOAuth=GETANDREFRESH;OAuthSettingsLocation=memory://dbapi-offline",
        "AuthScheme=AzureServicePrincipal;AzureTenant=contoso.onmicrosoft.com;OAuthClientId=abc;"
        "OAuthClientSecret=s;InitiateOAuth=GETANDREFRESH",
    ],
)
def test_sign_in_flows_wait_for_the_first_statement(flow: str) -> None:
    """Even flows that will sign in do nothing on connect: the sign-in procedures must stay usable."""
    offline = "AuthorityHost=https://127.0.0.1:9;GraphURL=https://127.0.0.1:9/v1.0"
    with o365sql.connect(f"{flow};{offline}") as con:
        assert con.execute("SELECT count(*) FROM sys_tables").fetchone()[0] > 0


def test_connect_merges_keyword_properties() -> None:
    with o365sql.connect(OFFLINE, UserId="adele@contoso.com", pagesize=50) as con:
        props = con.properties
        assert props["UserId"] == "adele@contoso.com" and props["Pagesize"] == "50"
        assert con.procedure_context.user_id == "adele@contoso.com"


def test_connect_rejects_unknown_property() -> None:
    with pytest.raises(o365sql.ProgrammingError, match="NoSuchProperty"):
        o365sql.connect("NoSuchProperty=1")
    with pytest.raises(o365sql.ProgrammingError, match="Pagesize"):
        o365sql.connect(OFFLINE, Pagesize="lots")


def test_repr_and_properties_hide_secrets() -> None:
    proxy = f"ProxyServer=127.0.0.1;ProxyPort=9;ProxyUser=u;ProxyPassword=pw-{SECRET}"
    con = o365sql.connect(f"{OFFLINE};OAuthClientSecret={SECRET};{proxy}")
    try:
        shown = repr(con) + str(con.properties) + repr(con.cursor())
        for table in ("sys_connection_props", "sys_tables", "sys_procedures", "sys_procedureparameters"):
            shown += repr(con.execute(f"SELECT * FROM {table}").fetchall())
        assert SECRET not in shown and "abc" not in repr(con)
    finally:
        con.close()


def test_oauth_procedures_are_registered() -> None:
    with o365sql.connect(OFFLINE) as con:
        names = {r[0] for r in con.execute("SELECT ProcedureName FROM sys_procedures")}
        assert {"GetOAuthAuthorizationURL", "GetOAuthAccessToken", "RefreshOAuthAccessToken",
                "GetAdminConsentURL"} <= names  # fmt: skip


def test_explain_needs_engine_or_works() -> None:
    with o365sql.connect(OFFLINE) as con:
        try:
            plan = o365sql.explain(con, "SELECT 1")
        except o365sql.NotSupportedError as exc:
            assert "engine" in str(exc)
        else:
            assert isinstance(plan, list)


# -- against the emulator -----------------------------------------------------------------------------------


def _connect(emulator: Any, **extra: Any) -> o365sql.Connection:
    token, _ = emulator.state.tokens.issue_access(
        tenant_id=emulator.tenant_id,
        client_id=emulator.client_id,
        user_id=emulator.state.directory.demo_user.id,
        scopes=DELEGATED_SCOPES,
    )
    return o365sql.connect(
        "InitiateOAuth=OFF;OAuthAccessToken=" + token + ";GraphURL=" + emulator.graph_url
        + ";SSLServerCert=" + str(emulator.ca_cert),
        **extra,
    )  # fmt: skip


def test_connection_reaches_emulator(emulator: Any) -> None:
    """connect() wires GraphURL, the trusted CA and the token into the Graph client procedures get."""
    with _connect(emulator) as con:
        folders = list(con.procedure_context.graph.iter_items("/me/mailFolders"))
        assert "Inbox" in {f["displayName"] for f in folders}


def test_admin_consent_url_procedure(emulator: Any) -> None:
    with _connect(emulator) as con:
        cur = con.execute("EXEC GetAdminConsentURL CallbackUrl = 'http://localhost:33333'")
        (url,) = cur.fetchone()
        assert "adminconsent" in url and "client_id=" in url
        assert cur.description[0][1] == o365sql.STRING
