"""Resource specs shaped like Graph's rules, shared by the OData engine tests."""

from __future__ import annotations

from o365sql.emulator.odata import PropertyRule, ResourceSpec

CMP = frozenset({"eq", "ne", "gt", "ge", "lt", "le"})
EQ = frozenset({"eq", "ne"})
STR = frozenset({"eq", "ne", "in", "startswith", "endswith", "contains", "not"})

MESSAGES = ResourceSpec(
    name="messages",
    properties={
        "id": PropertyRule(EQ | {"in"}, edm="Edm.String"),
        "subject": PropertyRule(STR | {"gt", "ge", "lt", "le"}, orderable=True, edm="Edm.String"),
        "isRead": PropertyRule(EQ | {"not"}, orderable=True, edm="Edm.Boolean"),
        "hasAttachments": PropertyRule(EQ | {"not"}, orderable=True, edm="Edm.Boolean"),
        "importance": PropertyRule(EQ | {"in", "not"}, orderable=True),
        "receivedDateTime": PropertyRule(CMP | {"not"}, orderable=True, edm="Edm.DateTimeOffset"),
        "sentDateTime": PropertyRule(CMP, orderable=True, edm="Edm.DateTimeOffset"),
        "from/emailAddress/address": PropertyRule(STR, orderable=True),
        "from/emailAddress/name": PropertyRule(STR, orderable=True),
        "toRecipients": PropertyRule(frozenset({"any", "all", "not"})),
        "toRecipients/emailAddress/address": PropertyRule(STR),
        "categories": PropertyRule(frozenset({"any", "all", "eq", "ne", "startswith"})),
        "flag/flagStatus": PropertyRule(EQ, orderable=True),
        "size": PropertyRule(CMP, orderable=True, edm="Edm.Int32"),
        "score": PropertyRule(CMP | {"in"}, orderable=True),
    },
    default_select=(
        "id",
        "subject",
        "isRead",
        "hasAttachments",
        "importance",
        "receivedDateTime",
        "sentDateTime",
        "from",
        "toRecipients",
        "categories",
        "body",
        "flag",
    ),
    selectable=None,
    default_top=10,
    max_top=1000,
    search="kql",
    inefficient_filter_rule=True,
    filter_code="ErrorInvalidUrlQuery",
    search_fields=("subject", "body/content", "from/emailAddress/name", "from/emailAddress/address"),
)

_ADV = frozenset({"ne", "not", "endswith"})
USERS = ResourceSpec(
    name="users",
    properties={
        "id": PropertyRule(frozenset({"eq", "in"}), advanced_ops=_ADV),
        "displayName": PropertyRule(frozenset({"eq", "in", "startswith"}), orderable=True, advanced_ops=_ADV),
        "mail": PropertyRule(frozenset({"eq", "in", "startswith"}), orderable=True, advanced_ops=_ADV),
        "userPrincipalName": PropertyRule(
            frozenset({"eq", "in", "startswith"}), orderable=True, advanced_ops=_ADV
        ),
        "jobTitle": PropertyRule(frozenset({"eq", "in", "startswith"}), advanced_ops=_ADV),
        "accountEnabled": PropertyRule(frozenset({"eq"}), advanced_ops=_ADV, edm="Edm.Boolean"),
        "createdDateTime": PropertyRule(
            frozenset({"eq", "ge", "le", "in"}), orderable=True, advanced_ops=_ADV, edm="Edm.DateTimeOffset"
        ),
        "businessPhones": PropertyRule(frozenset({"any", "eq"}), advanced_ops=_ADV),
    },
    default_select=(
        "businessPhones",
        "displayName",
        "givenName",
        "jobTitle",
        "mail",
        "mobilePhone",
        "officeLocation",
        "preferredLanguage",
        "surname",
        "userPrincipalName",
        "id",
    ),
    selectable=frozenset(
        {
            "id",
            "displayName",
            "givenName",
            "surname",
            "mail",
            "jobTitle",
            "userPrincipalName",
            "businessPhones",
            "mobilePhone",
            "officeLocation",
            "preferredLanguage",
            "accountEnabled",
            "createdDateTime",
            "aboutMe",
        }
    ),
    default_top=100,
    max_top=999,
    top_error=(
        "Request_UnsupportedQuery",
        "Invalid page size specified: '{top}'. Must be between 1 and 999 inclusive.",
    ),
    supports_skip=False,
    search="directory",
    directory=True,
    filter_code="Request_UnsupportedQuery",
    search_fields=("displayName", "mail", "userPrincipalName", "givenName", "surname", "jobTitle"),
    not_implemented_select=frozenset({"aboutMe"}),
)

GROUPS = ResourceSpec(
    name="groups",
    properties={
        "displayName": PropertyRule(frozenset({"eq", "in", "startswith"}), orderable=True, advanced_ops=_ADV),
        "groupTypes": PropertyRule(frozenset({"any", "eq"}), advanced_ops=_ADV),
        "mailEnabled": PropertyRule(frozenset({"eq"}), advanced_ops=_ADV, edm="Edm.Boolean"),
    },
    default_select=None,
    selectable=None,
    default_top=100,
    max_top=999,
    top_error=USERS.top_error,
    supports_skip=False,
    search="directory",
    directory=True,
    filter_code="Request_UnsupportedQuery",
    search_fields=("displayName", "description", "mail"),
)

DRIVE = ResourceSpec(
    name="driveItems",
    properties={
        "name": PropertyRule(frozenset({"eq"}), orderable=True),
        "size": PropertyRule(frozenset(), orderable=True),
        "lastModifiedDateTime": PropertyRule(frozenset(), orderable=True),
    },
    default_select=None,
    selectable=None,
    default_top=200,
    max_top=1000,
    top_error=("invalidRequest", "Invalid page size '{top}'."),
    supports_skip=False,
    filter_code="invalidRequest",
)


def quote(value: str) -> str:
    """An OData string literal."""
    return "'" + value.replace("'", "''") + "'"
