"""Connection properties: the grammar, every property's default/type/bad value, validation messages."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from o365sql.errors import NotSupportedError, ProgrammingError
from o365sql.properties import (
    AUTHORITY_HOSTS,
    GRAPH_URLS,
    MASK,
    PROPERTIES,
    IgnoredPropertiesWarning,
    Properties,
    format_connection_string,
    get_spec,
    log_level_for,
    parse_connection_string,
    resolve,
)

# -- grammar ---------------------------------------------------------------------------------------


def test_parse_basic_pairs_trims_and_keeps_names() -> None:
    assert parse_connection_string(" AuthScheme = AzureAD ; Timeout=30") == {
        "AuthScheme": "AzureAD",
        "Timeout": "30",
    }


def test_parse_empty_segments_ignored() -> None:
    assert parse_connection_string(";;A=1;; ;B=2;") == {"A": "1", "B": "2"}
    assert parse_connection_string("") == {}
    assert parse_connection_string("  ;  ") == {}


def test_parse_quotes_keep_semicolons_and_whitespace() -> None:
    parsed = parse_connection_string('A="x;y" ; B=\' padded \' ;C="say ""hi""";D=\'it\'\'s\'')
    assert parsed == {"A": "x;y", "B": " padded ", "C": 'say "hi"', "D": "it's"}


def test_parse_other_quote_inside_is_literal() -> None:
    assert parse_connection_string("""A="it's";B='say "x"'""") == {"A": "it's", "B": 'say "x"'}


def test_parse_value_may_contain_equals() -> None:
    assert parse_connection_string("OAuthAccessToken=abc==;X=a=b") == {
        "OAuthAccessToken": "abc==",
        "X": "a=b",
    }


def test_parse_repeated_name_last_wins_case_insensitively() -> None:
    assert parse_connection_string("Timeout=1;TIMEOUT=2;timeout=3") == {"timeout": "3"}


def test_parse_empty_value_allowed() -> None:
    assert parse_connection_string("Scope=;A=''") == {"Scope": "", "A": ""}


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Timeout", ["'Timeout'", "no value"]),
        ("=5", ["without a property name"]),
        ('OAuthAccessToken="secret', ["OAuthAccessToken", "no closing"]),
        ('A="x"y', ["after the quoted value of A"]),
    ],
)
def test_parse_errors_say_what_is_wrong(text: str, words: list[str]) -> None:
    with pytest.raises(ProgrammingError) as info:
        parse_connection_string(text)
    for word in words:
        assert word in str(info.value)


def test_parse_error_never_echoes_the_value() -> None:
    with pytest.raises(ProgrammingError) as info:
        parse_connection_string('OAuthClientSecret="s3cr3t-value')
    assert "s3cr3t" not in str(info.value)


_names = st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,12}", fullmatch=True)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_names, st.text(max_size=30), max_size=6))
def test_format_parse_round_trip(values: dict[str, str]) -> None:
    unique: dict[str, str] = {}
    for name, value in values.items():
        if name.lower() not in {k.lower() for k in unique}:
            unique[name] = value
    assert parse_connection_string(format_connection_string(unique)) == unique


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40), st.sampled_from(["'", '"']))
def test_quoted_value_round_trip(value: str, quote: str) -> None:
    text = f"Scope={quote}{value.replace(quote, quote * 2)}{quote};Timeout=5"
    assert parse_connection_string(text) == {"Scope": value, "Timeout": "5"}


# -- the property table ----------------------------------------------------------------------------

_DERIVED = {"AuthorityHost", "GraphURL", "OAuthSettingsLocation"}


def test_every_design_property_exists() -> None:
    names = {spec.name for spec in PROPERTIES}
    design = (  # noqa: SIM905 - easier to read than a 36-item list
        "AuthScheme InitiateOAuth OAuthGrantType OAuthClientId OAuthClientSecret OAuthJWTCert "
        "OAuthJWTCertPassword CallbackURL OAuthAccessToken OAuthRefreshToken OAuthVerifier "
        "OAuthSettingsLocation AzureTenant AzureEnvironment Scope AuthorityHost GraphURL SSLServerCert "
        "UserId Timeout Pagesize MaxRows Verbosity Logfile ProxyServer ProxyPort ProxyUser ProxyPassword "
        "Pushdown OAuthExpiresIn OAuthTokenTimestamp DirectoryRetrievalDepth ProxyAutoDetect LogModules "
        "OAuthJWTCertType"
    ).split()
    assert set(design) <= names
    assert get_spec("tenant").name == "AzureTenant"


@pytest.mark.parametrize("spec", [s for s in PROPERTIES if s.name not in _DERIVED], ids=lambda s: s.name)
def test_defaults(spec: object) -> None:
    props = resolve()
    assert props[spec.name] == spec.default  # type: ignore[attr-defined]
    assert not props.explicit(spec.name)  # type: ignore[attr-defined]


def test_documented_defaults() -> None:
    props = resolve()
    assert props["AuthScheme"] == "AzureAD"
    assert props["InitiateOAuth"] == "OFF"
    assert props["OAuthGrantType"] == "CODE"
    assert props["CallbackURL"] == "http://localhost:33333"
    assert props["AzureTenant"] == "common"
    assert props["AzureEnvironment"] == "GLOBAL"
    assert props["AuthorityHost"] == "https://login.microsoftonline.com"
    assert props["GraphURL"] == "https://graph.microsoft.com/v1.0"
    assert props["Timeout"] == 60
    assert props["Pagesize"] == 1000
    assert props["MaxRows"] == -1
    assert props["Verbosity"] == 1
    assert props["Pushdown"] is True
    assert props["Scope"] == ""
    assert props["OAuthExpiresIn"] is None
    location = Path(props["OAuthSettingsLocation"])
    assert location.name == "OAuthSettings.json" and "o365sql" in location.parts


@pytest.mark.parametrize("env", sorted(GRAPH_URLS))
def test_endpoints_follow_azure_environment(env: str) -> None:
    props = resolve(f"AzureEnvironment={env.lower()}")
    assert props["AzureEnvironment"] == env
    assert props["GraphURL"] == GRAPH_URLS[env]
    assert props["AuthorityHost"] == AUTHORITY_HOSTS[env]
    assert resolve(f"AzureEnvironment={env}", GraphURL="https://127.0.0.1:8443/v1.0/")["GraphURL"] == (
        "https://127.0.0.1:8443/v1.0"
    )


def test_china_endpoints() -> None:
    props = resolve("AzureEnvironment=CHINA")
    assert props["GraphURL"] == "https://microsoftgraph.chinacloudapi.cn/v1.0"
    assert props["AuthorityHost"] == "https://login.chinacloudapi.cn"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("true", True), ("Yes", True), ("1", True), ("ON", True), ("false", False), ("no", False), ("0", False)],
)
def test_booleans(text: str, expected: bool) -> None:
    assert resolve(f"Pushdown={text}")["Pushdown"] is expected
    assert resolve(f"ProxyAutoDetect={text}")["ProxyAutoDetect"] is expected


def test_typed_values_and_canonical_choices() -> None:
    props = resolve("initiateoauth=getandrefresh;authscheme=azuremsi;timeout= 5 ;Verbosity=5;MaxRows=10")
    assert props["InitiateOAuth"] == "GETANDREFRESH"
    assert props["AuthScheme"] == "AzureMSI"
    assert props["Timeout"] == 5 and props["Verbosity"] == 5 and props["MaxRows"] == 10


def test_names_case_and_separator_insensitive() -> None:
    props = resolve("INITIATE_OAUTH=REFRESH", oauth_client_id="abc")
    assert props["initiateoauth"] == "REFRESH"
    assert props["OAuthClientId"] == "abc"
    assert props.explicit("oauthclientid")


def test_kwargs_win_and_take_python_values() -> None:
    props = resolve("Timeout=5;Pushdown=true", Timeout=9, Pushdown=False, SSLServerCert=Path("/tmp/ca.pem"))
    assert props["Timeout"] == 9 and props["Pushdown"] is False
    assert props["SSLServerCert"] == "/tmp/ca.pem"


def test_kwarg_none_is_not_given() -> None:
    assert resolve("Timeout=5", Timeout=None)["Timeout"] == 60


def _bad(text: str = "", **kwargs: object) -> str:
    with pytest.raises(ProgrammingError) as info:
        resolve(text, **kwargs)
    return str(info.value)


@pytest.mark.parametrize(
    "spec",
    [s for s in PROPERTIES if s.type is int],
    ids=lambda s: s.name,
)
def test_bad_int_names_property(spec: object) -> None:
    message = _bad(f"{spec.name}=abc")  # type: ignore[attr-defined]
    assert spec.name in message and "'abc'" in message and "whole number" in message  # type: ignore[attr-defined]


@pytest.mark.parametrize("spec", [s for s in PROPERTIES if s.type is bool], ids=lambda s: s.name)
def test_bad_bool_names_property(spec: object) -> None:
    message = _bad(f"{spec.name}=maybe")  # type: ignore[attr-defined]
    assert spec.name in message and "'maybe'" in message and "true/false" in message  # type: ignore[attr-defined]


@pytest.mark.parametrize("spec", [s for s in PROPERTIES if s.choices], ids=lambda s: s.name)
def test_bad_choice_lists_allowed_values(spec: object) -> None:
    message = _bad(f"{spec.name}=bogus")  # type: ignore[attr-defined]
    assert spec.name in message  # type: ignore[attr-defined]
    for choice in spec.choices:  # type: ignore[attr-defined]
        assert choice in message


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Verbosity=0", ["Verbosity", "1 to 5"]),
        ("Verbosity=6", ["Verbosity", "1 to 5"]),
        ("Pagesize=0", ["Pagesize", "1 to 1000"]),
        ("Pagesize=5000", ["Pagesize"]),
        ("Timeout=-1", ["Timeout"]),
        ("ProxyServer=p;ProxyPort=70000", ["ProxyPort"]),
        ("MaxRows=-2", ["MaxRows"]),
        ("AzureTenant=a/b", ["AzureTenant", "contoso.onmicrosoft.com"]),
        ("GraphURL=http://graph.example.com/v1.0", ["GraphURL", "https://"]),
        ("AuthorityHost=ftp://x", ["AuthorityHost"]),
        ("CallbackURL=localhost:33333", ["CallbackURL"]),
        ("SSLServerCert=*", ["SSLServerCert", "never switched off"]),
        ("OAuthSettingsLocation=memory://", ["OAuthSettingsLocation", "memory://"]),
    ],
)
def test_bad_values_name_the_property(text: str, words: list[str]) -> None:
    message = _bad(text)
    for word in words:
        assert word in message


def test_secret_bad_value_is_not_echoed() -> None:
    # secrets have no constraints, but a conflicting setting must not show them either
    message = _bad("AuthScheme=AzureServicePrincipal;OAuthClientSecret=hunter2;AzureTenant=contoso.com")
    assert "OAuthClientId" in message and "hunter2" not in message


def test_unknown_property_suggests_closest() -> None:
    message = _bad("Timout=5")
    assert "Timout" in message and "did you mean Timeout?" in message
    assert "did you mean AzureTenant?" in _bad("AzureTennant=x")
    assert "did you mean InitiateOAuth?" in _bad("initiateoath=OFF")
    assert "docs/connection-properties.md" in _bad("Zzzzzz=1")


def test_unknown_kwarg_rejected() -> None:
    assert "Unknown connection property 'colour'" in _bad(colour="red")


# -- conflicting settings --------------------------------------------------------------------------


def test_service_principal_needs_client_id_and_secret() -> None:
    assert "needs OAuthClientId" in _bad("AuthScheme=AzureServicePrincipal;AzureTenant=contoso.com")
    assert "needs OAuthClientSecret" in _bad(
        "AuthScheme=AzureServicePrincipal;AzureTenant=contoso.com;OAuthClientId=app"
    )
    ok = resolve(
        "AuthScheme=AzureServicePrincipal;AzureTenant=contoso.com;OAuthClientId=app;OAuthClientSecret=s"
    )
    assert ok["AuthScheme"] == "AzureServicePrincipal"


def test_service_principal_cert_needs_cert() -> None:
    message = _bad("AuthScheme=AzureServicePrincipalCert;AzureTenant=contoso.com;OAuthClientId=app")
    assert "OAuthJWTCert" in message


def test_app_only_over_common_explains_aadsts9001023() -> None:
    message = _bad("AuthScheme=AzureServicePrincipal;OAuthClientId=app;OAuthClientSecret=s")
    assert "AzureTenant" in message and "AADSTS9001023" in message
    message = _bad("OAuthGrantType=CLIENT;OAuthClientId=app;OAuthClientSecret=s;AzureTenant=consumers")
    assert "AADSTS9001023" in message


def test_device_code_needs_azure_ad() -> None:
    assert "AuthScheme=AzureAD" in _bad("OAuthGrantType=DEVICE_CODE;AuthScheme=AzureMSI")


def test_proxy_credentials_need_server() -> None:
    assert "ProxyServer" in _bad("ProxyUser=u")


def test_initiate_off_without_token_is_fine() -> None:
    props = resolve("InitiateOAuth=OFF;AuthScheme=AzureAD")
    assert props["OAuthAccessToken"] == ""


# -- the Properties object -------------------------------------------------------------------------


def test_properties_is_a_read_only_case_insensitive_mapping() -> None:
    props = resolve("Timeout=5")
    assert isinstance(props, Properties)
    assert props["TIMEOUT"] == props["timeout"] == 5
    assert "pagesize" in props and "nope" not in props
    assert list(props) == [s.name for s in PROPERTIES]
    assert len(props) == len(PROPERTIES)
    with pytest.raises(KeyError):
        props["nope"]
    with pytest.raises(TypeError):
        props["Timeout"] = 3  # type: ignore[index]


def test_masked_and_repr_hide_secrets() -> None:
    props = resolve(
        "OAuthAccessToken=eyJtoken.abc.def;OAuthRefreshToken=0.refresh;OAuthClientSecret=s3cr3t;"
        "ProxyServer=proxy;ProxyUser=me;ProxyPassword=pw123;OAuthClientId=my-app"
    )
    masked = props.masked()
    for name in ("OAuthAccessToken", "OAuthRefreshToken", "OAuthClientSecret", "ProxyPassword"):
        assert masked[name] == MASK
    assert masked["OAuthClientId"] == "my-app"
    assert masked["OAuthVerifier"] == ""  # unset secrets stay empty
    assert masked["Pushdown"] == "true" and masked["Timeout"] == "60"
    text = repr(props)
    for secret in ("eyJtoken", "0.refresh", "s3cr3t", "pw123"):
        assert secret not in text
    assert "OAuthClientId=my-app" in text


def test_replace_revalidates_and_keeps_given_values() -> None:
    props = resolve("Timeout=5;OAuthAccessToken=abc")
    new = props.replace(OAuthAccessToken="def", Verbosity=2)
    assert new["OAuthAccessToken"] == "def" and new["Timeout"] == 5 and new["Verbosity"] == 2
    assert props["OAuthAccessToken"] == "abc"
    assert new.replace(OAuthAccessToken=None)["OAuthAccessToken"] == ""
    with pytest.raises(ProgrammingError):
        props.replace(Verbosity=9)


def test_other_is_an_ignored_commercial_property() -> None:
    """Other was parsed and read by nothing: now it is named as ignored, and holds nothing to read."""
    with pytest.warns(IgnoredPropertiesWarning, match="Other"):
        props = resolve("Other=\"Foo=1;Bar='x;y'\" ")
    assert "Other" not in props and not hasattr(props, "other")


def test_settings_location_memory_and_user_path() -> None:
    assert resolve("OAuthSettingsLocation=memory://mine")["OAuthSettingsLocation"] == "memory://mine"
    assert not resolve("OAuthSettingsLocation=~/x.json")["OAuthSettingsLocation"].startswith("~")


def test_log_levels_follow_verbosity() -> None:
    levels = [log_level_for(v) for v in range(1, 6)]
    assert levels == sorted(levels, reverse=True)
    assert levels[0] == 20 and levels[1] == 10 and levels[4] < levels[2]


# -- the commercial connector's properties that do not apply here ----------------------------------


def test_commercial_only_properties_are_ignored_with_one_warning() -> None:
    text = "Location=C:\\schema;Tables=Messages,Events;oauthversion=2.0;UseClientSidePaging=true;Timeout=5"
    with pytest.warns(IgnoredPropertiesWarning) as caught:
        props = resolve(text, AutoCache=True)
    assert len(caught) == 1
    assert str(caught[0].message).endswith(": AutoCache, Location, OAuthVersion, Tables, UseClientSidePaging")
    assert props["Timeout"] == 5 and "Location" not in props and "Tables" not in props.masked()
    with pytest.raises(ProgrammingError, match="Location of the commercial connector does not apply"):
        props.replace(Location="elsewhere")


def test_ignored_property_whose_value_would_change_results_is_refused() -> None:
    with pytest.raises(NotSupportedError, match=r"DefaultUser='AllUsers'.*set UserId"):
        resolve("DefaultUser=AllUsers")
    with pytest.raises(NotSupportedError, match="FirewallType='SOCKS5'"):
        resolve("FirewallType=SOCKS5;FirewallServer=fw;FirewallPassword=hunter2")
    with pytest.warns(IgnoredPropertiesWarning, match="DefaultUser, FirewallType, OAuthVersion"):
        resolve("DefaultUser=currentuser;FirewallType=NONE;OAuthVersion=2.0")


def test_misspelled_commercial_property_still_fails() -> None:
    assert "did you mean UseClientSidePaging?" in _bad("UseClientSidPaging=true")
    assert "did you mean Location?" in _bad("Locaton=x")
