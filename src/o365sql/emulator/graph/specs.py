"""What each Graph collection accepts in $filter/$orderby/$select/$top, per Microsoft's documentation.

The driver's table specs mirror these (design.md: pushdown only where the service supports it).
Sources: user-list-messages.md, aad-advanced-queries.md (per-property operator tables for users and groups),
user-list-events.md, user-list-contacts.md, driveitem-list-children.md, and the query-parameters page.
Where the documentation says nothing, the emulator accepts what Outlook demonstrably supports and says [U].
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ..odata import PropertyRule, ResourceSpec

__all__ = [
    "ATTACHMENTS",
    "CALENDARS",
    "CALENDAR_VIEW",
    "CONTACTS",
    "CONTACT_FOLDERS",
    "DRIVE_CHILDREN",
    "EVENTS",
    "GROUPS",
    "MAIL_FOLDERS",
    "MEMBERS",
    "MESSAGES",
    "USERS",
    "USER_ENTITY",
]

CMP = frozenset({"eq", "ne", "gt", "ge", "lt", "le"})
EQ = frozenset({"eq", "ne"})
EQ_IN = frozenset({"eq", "ne", "in"})
TEXT = frozenset({"eq", "ne", "startswith", "contains", "in"})  # Outlook string properties [U: contains]
ANY = frozenset({"any", "eq"})  # collection/any(x: x eq 'v')
DT = frozenset({"eq", "ne", "gt", "ge", "lt", "le"})


def _rule(
    ops: frozenset[str] = frozenset(), orderable: bool = False, adv: frozenset[str] = frozenset()
) -> PropertyRule:
    return PropertyRule(ops, orderable, adv)


_BOOLEANS = {
    "accountEnabled",
    "mailEnabled",
    "securityEnabled",
    "canEdit",
    "onPremisesSyncEnabled",
    "showInAddressList",
}
_INTS = {"childFolderCount", "unreadItemCount", "totalItemCount", "size", "reminderMinutesBeforeStart"}


def _typed(props: dict[str, PropertyRule]) -> dict[str, PropertyRule]:
    """Give each rule its CSDL type, so a literal of another type gets Graph's "incompatible types" 400.

    Top-level `...DateTime` properties (and birthday) are Edm.DateTimeOffset; `start/dateTime` and
    `end/dateTime` are strings inside dateTimeTimeZone, so they compare with string literals, as in Graph.
    """
    out: dict[str, PropertyRule] = {}
    for key, rule in props.items():
        leaf = key.split("/")[-1]
        if "/" not in key and (key.endswith("DateTime") or key == "birthday"):
            edm = "Edm.DateTimeOffset"
        elif (
            leaf in _BOOLEANS
            or (leaf.startswith(("is", "has")) and leaf[2:3].isupper())
            or leaf.startswith("has")
        ):
            edm = "Edm.Boolean"
        elif leaf in _INTS:
            edm = "Edm.Int32"
        else:
            edm = "Edm.String"
        out[key] = PropertyRule(rule.ops, rule.orderable, rule.advanced_ops, edm=edm, null=rule.null)
    return out


# -- Outlook -------------------------------------------------------------------------------------------------
MESSAGE_DEFAULT = (
    "id",
    "createdDateTime",
    "lastModifiedDateTime",
    "changeKey",
    "categories",
    "receivedDateTime",
    "sentDateTime",
    "hasAttachments",
    "internetMessageId",
    "subject",
    "bodyPreview",
    "importance",
    "parentFolderId",
    "conversationId",
    "conversationIndex",
    "isDeliveryReceiptRequested",
    "isReadReceiptRequested",
    "isRead",
    "isDraft",
    "webLink",
    "inferenceClassification",
    "body",
    "sender",
    "from",
    "toRecipients",
    "ccRecipients",
    "bccRecipients",
    "replyTo",
    "flag",
)
_RECIPIENTS = {
    f"{coll}/emailAddress/{leaf}": _rule(EQ | {"startswith"})
    for coll in ("toRecipients", "ccRecipients", "bccRecipients", "replyTo")
    for leaf in ("address", "name")
}
_RECIPIENTS.update(
    {coll: _rule(frozenset({"any"})) for coll in ("toRecipients", "ccRecipients", "bccRecipients", "replyTo")}
)

# Outlook's collections (messages, folders, events, contacts, ...): page 10 by default, $top up to 1000 [U].
_OUTLOOK_PAGING: dict[str, Any] = {
    "default_top": 10,
    "max_top": 1000,
    "top_error": ("ErrorInvalidUrlQuery", "The value of the $top parameter must be between 1 and 1000."),
    "filter_code": "ErrorInvalidUrlQuery",
}

MESSAGES = ResourceSpec(
    name="message",
    properties=_typed(
        {
            "id": _rule(EQ),
            "createdDateTime": _rule(DT, True),
            "lastModifiedDateTime": _rule(DT, True),
            "receivedDateTime": _rule(DT, True),
            "sentDateTime": _rule(DT, True),
            "subject": _rule(TEXT, True),
            "bodyPreview": _rule(frozenset({"contains"})),
            "body/content": _rule(frozenset({"contains"})),
            "importance": _rule(EQ_IN, True),
            "isRead": _rule(EQ, True),
            "isDraft": _rule(EQ, True),
            "hasAttachments": _rule(EQ, True),
            "isReadReceiptRequested": _rule(EQ),
            "isDeliveryReceiptRequested": _rule(EQ),
            "inferenceClassification": _rule(EQ, True),
            "parentFolderId": _rule(EQ_IN, True),
            "conversationId": _rule(EQ_IN, True),
            "internetMessageId": _rule(EQ),
            "categories": _rule(ANY),
            "flag/flagStatus": _rule(EQ_IN, True),
            "from/emailAddress/address": _rule(EQ | {"startswith", "in"}, True),
            "from/emailAddress/name": _rule(EQ | {"startswith"}, True),
            "sender/emailAddress/address": _rule(EQ | {"startswith", "in"}, True),
            "sender/emailAddress/name": _rule(EQ | {"startswith"}, True),
            **_RECIPIENTS,
        }
    ),
    default_select=MESSAGE_DEFAULT,
    selectable=frozenset(MESSAGE_DEFAULT) | {"uniqueBody", "internetMessageHeaders"},
    **_OUTLOOK_PAGING,
    supports_skip=True,
    search="kql",
    inefficient_filter_rule=True,
    # Exchange stores a follow-up flag only on flagged items and a read-receipt request only when asked for.
    unset_defaults={"flag": {"flagStatus": "notFlagged"}, "isReadReceiptRequested": False},
    search_fields=("subject", "bodyPreview", "from/emailAddress/name", "from/emailAddress/address"),
)

MAIL_FOLDER_DEFAULT = (
    "id",
    "displayName",
    "parentFolderId",
    "childFolderCount",
    "unreadItemCount",
    "totalItemCount",
    "sizeInBytes",
    "isHidden",
)
MAIL_FOLDERS = ResourceSpec(
    name="mailFolder",
    properties=_typed(
        {
            "id": _rule(EQ),
            "displayName": _rule(TEXT, True),
            "parentFolderId": _rule(EQ),
            "childFolderCount": _rule(CMP, True),
            "unreadItemCount": _rule(CMP, True),
            "totalItemCount": _rule(CMP, True),
            "isHidden": _rule(EQ),
        }
    ),
    default_select=MAIL_FOLDER_DEFAULT,
    selectable=frozenset(MAIL_FOLDER_DEFAULT),
    **_OUTLOOK_PAGING,
)

EVENT_DEFAULT = (
    "id",
    "createdDateTime",
    "lastModifiedDateTime",
    "changeKey",
    "categories",
    "transactionId",
    "originalStartTimeZone",
    "originalEndTimeZone",
    "iCalUId",
    "uid",
    "reminderMinutesBeforeStart",
    "isReminderOn",
    "hasAttachments",
    "subject",
    "bodyPreview",
    "importance",
    "sensitivity",
    "isAllDay",
    "isCancelled",
    "isOrganizer",
    "responseRequested",
    "seriesMasterId",
    "showAs",
    "type",
    "webLink",
    "onlineMeetingUrl",
    "isOnlineMeeting",
    "onlineMeetingProvider",
    "allowNewTimeProposals",
    "occurrenceId",
    "isDraft",
    "hideAttendees",
    "responseStatus",
    "body",
    "start",
    "end",
    "location",
    "locations",
    "recurrence",
    "attendees",
    "organizer",
    "onlineMeeting",
)
_EVENT_PROPS = {
    "id": _rule(EQ),
    "createdDateTime": _rule(DT, True),
    "lastModifiedDateTime": _rule(DT, True),
    "start/dateTime": _rule(DT, True),
    "end/dateTime": _rule(DT, True),
    "subject": _rule(TEXT, True),
    "importance": _rule(EQ_IN, True),
    "sensitivity": _rule(EQ_IN, True),
    "showAs": _rule(EQ_IN, True),
    "type": _rule(EQ_IN, True),
    "isAllDay": _rule(EQ, True),
    "isCancelled": _rule(EQ, True),
    "isOrganizer": _rule(EQ, True),
    "isOnlineMeeting": _rule(EQ, True),
    "hasAttachments": _rule(EQ),
    "seriesMasterId": _rule(EQ),
    "iCalUId": _rule(EQ),
    "categories": _rule(ANY),
    "organizer/emailAddress/address": _rule(EQ | {"startswith"}, True),
    "organizer/emailAddress/name": _rule(EQ | {"startswith"}, True),
    "location/displayName": _rule(TEXT, True),
    "responseStatus/response": _rule(EQ_IN, True),
    "attendees": _rule(frozenset({"any"})),
    "attendees/emailAddress/address": _rule(EQ),
}
_EVENT_COMMON = dict(
    default_select=EVENT_DEFAULT,
    selectable=frozenset(EVENT_DEFAULT) | {"cancelledOccurrences", "originalStart"},
    **_OUTLOOK_PAGING,
)
EVENTS = ResourceSpec(name="event", properties=_typed(_EVENT_PROPS), **_EVENT_COMMON)
CALENDAR_VIEW = ResourceSpec(name="event", properties=_typed(_EVENT_PROPS), **_EVENT_COMMON)

CALENDAR_DEFAULT = (
    "id",
    "name",
    "color",
    "hexColor",
    "isDefaultCalendar",
    "changeKey",
    "canShare",
    "canViewPrivateItems",
    "canEdit",
    "allowedOnlineMeetingProviders",
    "defaultOnlineMeetingProvider",
    "isTallyingResponses",
    "isRemovable",
    "owner",
)
CALENDARS = ResourceSpec(
    name="calendar",
    properties=_typed(
        {
            "id": _rule(EQ),
            "name": _rule(TEXT, True),
            "isDefaultCalendar": _rule(EQ),
            "canEdit": _rule(EQ),
            "color": _rule(EQ),
        }
    ),
    default_select=CALENDAR_DEFAULT,
    selectable=frozenset(CALENDAR_DEFAULT),
    **_OUTLOOK_PAGING,
)

CONTACT_DEFAULT = (
    "id",
    "createdDateTime",
    "lastModifiedDateTime",
    "changeKey",
    "categories",
    "parentFolderId",
    "birthday",
    "fileAs",
    "displayName",
    "givenName",
    "initials",
    "middleName",
    "nickName",
    "surname",
    "title",
    "yomiGivenName",
    "yomiSurname",
    "yomiCompanyName",
    "generation",
    "imAddresses",
    "jobTitle",
    "companyName",
    "department",
    "officeLocation",
    "profession",
    "businessHomePage",
    "assistantName",
    "manager",
    "homePhones",
    "mobilePhone",
    "businessPhones",
    "spouseName",
    "personalNotes",
    "children",
    "emailAddresses",
    "homeAddress",
    "businessAddress",
    "otherAddress",
)
CONTACTS = ResourceSpec(
    name="contact",
    properties=_typed(
        {
            "id": _rule(EQ),
            "createdDateTime": _rule(DT, True),
            "lastModifiedDateTime": _rule(DT, True),
            "displayName": _rule(TEXT, True),
            "givenName": _rule(TEXT, True),
            "surname": _rule(TEXT, True),
            "fileAs": _rule(TEXT, True),
            "companyName": _rule(TEXT, True),
            "jobTitle": _rule(TEXT, True),
            "department": _rule(TEXT, True),
            "mobilePhone": _rule(EQ),
            "parentFolderId": _rule(EQ),
            "birthday": _rule(DT, True),
            "categories": _rule(ANY),
            "emailAddresses": _rule(frozenset({"any"})),
            "emailAddresses/address": _rule(EQ | {"startswith"}),
            "emailAddresses/name": _rule(EQ | {"startswith"}),
        }
    ),
    default_select=CONTACT_DEFAULT,
    selectable=frozenset(CONTACT_DEFAULT),
    **_OUTLOOK_PAGING,
)
CONTACT_FOLDERS = ResourceSpec(
    name="contactFolder",
    properties=_typed({"id": _rule(EQ), "displayName": _rule(TEXT, True), "parentFolderId": _rule(EQ)}),
    default_select=("id", "displayName", "parentFolderId"),
    selectable=frozenset({"id", "displayName", "parentFolderId"}),
    **_OUTLOOK_PAGING,
)

ATTACHMENT_DEFAULT = (
    "id",
    "lastModifiedDateTime",
    "name",
    "contentType",
    "size",
    "isInline",
    "contentId",
    "contentLocation",
    "contentBytes",
)
ATTACHMENTS = ResourceSpec(
    name="attachment",
    properties=_typed(
        {
            "id": _rule(EQ),
            "name": _rule(TEXT, True),
            "contentType": _rule(EQ | {"startswith"}, True),
            "size": _rule(CMP, True),
            "isInline": _rule(EQ),
            "lastModifiedDateTime": _rule(DT, True),
        }
    ),
    default_select=ATTACHMENT_DEFAULT,
    selectable=frozenset(ATTACHMENT_DEFAULT),
    default_top=10,  # [U] Outlook pages attachments like other Outlook collections
    max_top=1000,
    top_error=("ErrorInvalidUrlQuery", "The value of the $top parameter must be between 1 and 1000."),  # [U]
    filter_code="ErrorInvalidUrlQuery",
)

# -- directory --------------------------------------------------------------------------------------------
# aad-advanced-queries.md and its per-object tables (includes/filter-directory-objects.md, "User properties"
# and "Group properties"): for each property whether `eq`, `startsWith`, `ge`/`le` and `null` work by
# default, only as advanced queries (ConsistencyLevel: eventual and $count=true), or not at all. Rules:
# `in` is supported wherever `eq` is (by default where `eq` is by default); `ne` and `not` only in advanced
# queries, on every property that supports `eq`; `endsWith` only in advanced queries, and only on mail,
# otherMails, userPrincipalName and proxyAddresses.
_ENDSWITH = frozenset({"mail", "otherMails", "userPrincipalName", "proxyAddresses"})


def _dir(
    name: str,
    eq: str = "",
    sw: str = "",
    rng: str = "",
    null: str = "none",
    orderable: bool = False,
    collection: bool = False,
) -> PropertyRule:
    """One directory property from the table: each of eq/sw/rng is "d" (default), "a" (advanced) or ""."""
    default: set[str] = set()
    advanced: set[str] = set()
    for ops, level in ((("eq", "in"), eq), (("startswith",), sw), (("ge", "le"), rng)):
        if level == "d":
            default.update(ops)
        elif level == "a":
            advanced.update(ops)
    if eq:
        advanced.update({"ne", "not"})
    if name in _ENDSWITH:
        advanced.add("endswith")
    if collection:
        # String collections filter through a lambda: `proxyAddresses/any(p: startsWith(p, 'smtp:'))`.
        default.add("any")
        default.discard("in")
    null_level = {"d": "default", "a": "advanced"}.get(null, "none")
    return PropertyRule(frozenset(default), orderable, frozenset(advanced), null=null_level)


USER_DEFAULT = (
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
)
USER_SELECTABLE = frozenset(USER_DEFAULT) | {
    "accountEnabled",
    "ageGroup",
    "assignedLicenses",
    "assignedPlans",
    "employeeHireDate",
    "onPremisesImmutableId",
    "onPremisesLastSyncDateTime",
    "onPremisesSamAccountName",
    "city",
    "companyName",
    "country",
    "createdDateTime",
    "creationType",
    "department",
    "employeeId",
    "employeeType",
    "faxNumber",
    "imAddresses",
    "isResourceAccount",
    "lastPasswordChangeDateTime",
    "mailNickname",
    "onPremisesSyncEnabled",
    "otherMails",
    "passwordProfile",
    "postalCode",
    "signInActivity",
    "proxyAddresses",
    "showInAddressList",
    "state",
    "streetAddress",
    "usageLocation",
    "userType",
}
# Properties Graph returns only for a single user: `$select` of them on a list gives 501 (C3).
USER_SINGLE_ONLY = frozenset(
    {
        "aboutMe",
        "birthday",
        "hireDate",
        "interests",
        "mySite",
        "pastProjects",
        "preferredName",
        "responsibilities",
        "schools",
        "skills",
    }
)
USERS = ResourceSpec(
    name="user",
    properties=_typed(
        {
            "id": _dir("id", eq="d"),
            "accountEnabled": _dir("accountEnabled", eq="d"),
            "ageGroup": _dir("ageGroup", eq="d"),
            "city": _dir("city", eq="d", sw="d", null="a"),
            "companyName": _dir("companyName", eq="a", sw="a", null="a"),
            "country": _dir("country", eq="d", sw="d", null="a"),
            "createdDateTime": _dir("createdDateTime", eq="a", rng="a", orderable=True),
            "creationType": _dir("creationType", eq="d"),
            "department": _dir("department", eq="d", sw="d", null="a"),
            "displayName": _dir("displayName", eq="d", sw="d", null="a", orderable=True),
            "employeeId": _dir("employeeId", eq="d", null="a"),
            "employeeType": _dir("employeeType", eq="a"),
            "faxNumber": _dir("faxNumber", eq="a", sw="a", null="a"),
            "givenName": _dir("givenName", eq="d", sw="d", null="a"),
            "isResourceAccount": _dir("isResourceAccount", eq="d"),
            "jobTitle": _dir("jobTitle", eq="d", sw="d", null="a"),
            "mail": _dir("mail", eq="d", sw="d", null="a"),
            "mailNickname": _dir("mailNickname", eq="d", sw="d", null="a"),
            "mobilePhone": _dir("mobilePhone", eq="a", sw="a", null="a"),
            "officeLocation": _dir("officeLocation", eq="a", sw="a", null="a"),
            "onPremisesSyncEnabled": _dir("onPremisesSyncEnabled", eq="d", null="a"),
            "postalCode": _dir("postalCode", eq="a", sw="a", null="a"),
            "preferredLanguage": _dir("preferredLanguage", eq="a", sw="a", null="a"),
            "showInAddressList": _dir("showInAddressList", eq="a"),
            "state": _dir("state", eq="d", sw="d", null="a"),
            "streetAddress": _dir("streetAddress", eq="a", sw="a", null="a"),
            "surname": _dir("surname", eq="d", sw="d", null="a"),
            "usageLocation": _dir("usageLocation", eq="d", sw="d", null="a"),
            "userPrincipalName": _dir("userPrincipalName", eq="d", sw="d", orderable=True),
            "userType": _dir("userType", eq="d", null="a"),
            # Not in the current table; an earlier revision of the same page listed them (eq, startsWith
            # by default on the lambda form).
            "businessPhones": _dir("businessPhones", eq="d", collection=True),
            "proxyAddresses": _dir("proxyAddresses", eq="d", sw="d", null="a", collection=True),
            "otherMails": _dir("otherMails", eq="d", sw="d", collection=True),
            "imAddresses": _dir("imAddresses", eq="d", sw="d", collection=True),
        }
    ),
    default_select=USER_DEFAULT,
    selectable=USER_SELECTABLE | USER_SINGLE_ONLY,
    not_implemented_select=USER_SINGLE_ONLY,
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
)


def _searchable(spec: ResourceSpec) -> ResourceSpec:
    """search-query-parameter.md: "Any property that can be used in $filter can also be used inside $search"
    (the string ones; displayName and description are tokenised, the others match like startsWith)."""
    fields = tuple(
        k
        for k, r in spec.properties.items()
        if r.edm == "Edm.String" and k != "id" and "/" not in k and "any" not in r.ops
    )
    return dataclasses.replace(spec, search_fields=fields)


USERS = _searchable(USERS)
# mailboxSettings is returned for one user, on $select only (user.md)
USER_ENTITY = dataclasses.replace(
    USERS,
    not_implemented_select=frozenset(),
    selectable=USER_SELECTABLE | USER_SINGLE_ONLY | {"mailboxSettings"},
)

GROUP_DEFAULT = (
    "id",
    "deletedDateTime",
    "classification",
    "createdDateTime",
    "creationOptions",
    "description",
    "displayName",
    "expirationDateTime",
    "groupTypes",
    "isAssignableToRole",
    "mail",
    "mailEnabled",
    "mailNickname",
    "membershipRule",
    "membershipRuleProcessingState",
    "onPremisesDomainName",
    "onPremisesLastSyncDateTime",
    "onPremisesNetBiosName",
    "onPremisesSamAccountName",
    "onPremisesSecurityIdentifier",
    "onPremisesSyncEnabled",
    "preferredDataLocation",
    "preferredLanguage",
    "proxyAddresses",
    "renewedDateTime",
    "resourceBehaviorOptions",
    "resourceProvisioningOptions",
    "securityEnabled",
    "securityIdentifier",
    "theme",
    "visibility",
    "onPremisesProvisioningErrors",
)
GROUPS = _searchable(
    ResourceSpec(
        name="group",
        properties=_typed(
            {
                "id": _dir("id", eq="d"),
                "classification": _dir("classification", eq="d", sw="d"),
                "description": _dir("description", eq="a", sw="a"),
                "displayName": _dir("displayName", eq="d", sw="d", null="a", orderable=True),
                "expirationDateTime": _dir("expirationDateTime", eq="a", rng="a"),
                "mail": _dir("mail", eq="d", sw="d", null="a"),
                "mailEnabled": _dir("mailEnabled", eq="d"),
                "mailNickname": _dir("mailNickname", eq="d", sw="d", null="a"),
                "membershipRule": _dir("membershipRule", eq="d", sw="d"),
                "onPremisesSyncEnabled": _dir("onPremisesSyncEnabled", eq="d", null="a"),
                "preferredLanguage": _dir("preferredLanguage", eq="a", sw="a", null="a"),
                "renewedDateTime": _dir("renewedDateTime", eq="d", rng="d"),
                "securityEnabled": _dir("securityEnabled", eq="d"),
                # Not in the group table but filtered in Microsoft's own examples: group-list.md
                # (`groupTypes/any(c:c eq 'Unified')`), filter-query-parameter.md (`proxyAddresses/any(...)`)
                # and team-list.md (`resourceProvisioningOptions/Any(x:x eq 'Team')`).
                "groupTypes": _dir("groupTypes", eq="d", collection=True),
                "proxyAddresses": _dir("proxyAddresses", eq="d", sw="d", null="a", collection=True),
                "resourceProvisioningOptions": _dir("resourceProvisioningOptions", eq="d", collection=True),
                # [U] visibility and createdDateTime are in neither revision of the table; kept as the
                # emulator had them (eq by default; createdDateTime ge/le as on users before the table
                # changed).
                "visibility": _dir("visibility", eq="d"),
                "createdDateTime": _dir("createdDateTime", eq="a", rng="d"),
            }
        ),
        default_select=GROUP_DEFAULT,
        selectable=frozenset(GROUP_DEFAULT),
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
    )
)

# Group members are directoryObjects (users here); they answer with the user's default properties.
MEMBERS = _searchable(
    ResourceSpec(
        name="directoryObject",
        properties=_typed(
            {
                "id": _dir("id", eq="d"),
                "displayName": _dir("displayName", eq="d", sw="d", null="a", orderable=True),
                "userPrincipalName": _dir("userPrincipalName", eq="d", sw="d", orderable=True),
                "mail": _dir("mail", eq="d", sw="d", null="a"),
                # [U] members (directoryObjects) filter these only as advanced queries, as the emulator had.
                "jobTitle": _dir("jobTitle", eq="a", sw="a", null="a"),
                "department": _dir("department", eq="a", sw="a", null="a"),
                "accountEnabled": _dir("accountEnabled", eq="a"),
            }
        ),
        default_select=USER_DEFAULT,
        selectable=USER_SELECTABLE,
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
    )
)

# -- OneDrive (driveitem-list-children.md: $expand, $select, $skipToken, $top, $orderby; no $filter) ---------
DRIVE_ITEM_DEFAULT = (
    "@microsoft.graph.downloadUrl",
    "createdDateTime",
    "eTag",
    "id",
    "lastModifiedDateTime",
    "name",
    "webUrl",
    "cTag",
    "size",
    "createdBy",
    "lastModifiedBy",
    "parentReference",
    "fileSystemInfo",
    "file",
    "folder",
    "root",
)
DRIVE_CHILDREN = ResourceSpec(
    name="driveItem",
    properties=_typed(
        {
            "name": _rule(frozenset(), True),
            "lastModifiedDateTime": _rule(frozenset(), True),
            "createdDateTime": _rule(frozenset(), True),
            "size": _rule(frozenset(), True),
        }
    ),
    default_select=DRIVE_ITEM_DEFAULT,
    selectable=frozenset(DRIVE_ITEM_DEFAULT) | {"description", "shared"},
    default_top=200,
    max_top=1000,  # [U] OneDrive for Business caps at 1000? the docs give no maximum
    top_error=("invalidRequest", "Invalid page size specified."),
    supports_skip=False,
    filter_code="invalidRequest",
)
