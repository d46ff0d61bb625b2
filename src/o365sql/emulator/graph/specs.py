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


_BOOLEANS = {"accountEnabled", "mailEnabled", "securityEnabled", "canEdit"}
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
        out[key] = PropertyRule(rule.ops, rule.orderable, rule.advanced_ops, edm=edm)
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

# -- directory (aad-advanced-queries.md: "adv" operators need ConsistencyLevel: eventual and $count=true) ----
_DIR_TEXT = frozenset({"eq", "in", "startswith"})
_DIR_ADV = frozenset({"ne", "not", "endswith"})
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
            "id": _rule(frozenset({"eq", "in"}), False, frozenset({"ne", "not"})),
            "userPrincipalName": _rule(_DIR_TEXT, True, _DIR_ADV),
            "displayName": _rule(_DIR_TEXT, True, _DIR_ADV),
            "givenName": _rule(_DIR_TEXT, False, _DIR_ADV),
            "surname": _rule(_DIR_TEXT, False, _DIR_ADV),
            "mail": _rule(_DIR_TEXT, False, _DIR_ADV),
            "mailNickname": _rule(_DIR_TEXT, False, _DIR_ADV),
            "jobTitle": _rule(_DIR_TEXT, False, _DIR_ADV),
            "department": _rule(_DIR_TEXT, False, _DIR_ADV),
            "companyName": _rule(_DIR_TEXT, False, _DIR_ADV),
            "city": _rule(_DIR_TEXT, False, _DIR_ADV),
            "country": _rule(_DIR_TEXT, False, _DIR_ADV),
            "state": _rule(_DIR_TEXT, False, _DIR_ADV),
            "usageLocation": _rule(frozenset({"eq", "in"}), False, _DIR_ADV),
            "employeeId": _rule(_DIR_TEXT, False, _DIR_ADV),
            "userType": _rule(frozenset({"eq", "in"}), False, _DIR_ADV),
            "officeLocation": _rule(frozenset(), False, _DIR_TEXT | _DIR_ADV),
            "mobilePhone": _rule(frozenset({"eq", "startswith"}), False, _DIR_ADV),
            "preferredLanguage": _rule(frozenset({"eq"}), False, _DIR_ADV),
            "accountEnabled": _rule(frozenset({"eq"}), False, frozenset({"ne", "not"})),
            "createdDateTime": _rule(frozenset({"ge", "le"}), False, frozenset({"eq", "ne", "in", "not"})),
            "businessPhones": _rule(frozenset({"any", "eq"}), False, frozenset({"not", "startswith"})),
            "proxyAddresses": _rule(
                frozenset({"any", "eq", "startswith"}), False, frozenset({"not", "endswith"})
            ),
            "otherMails": _rule(
                frozenset({"any", "eq", "startswith"}), False, frozenset({"not", "endswith"})
            ),
            "imAddresses": _rule(
                frozenset({"any", "eq", "startswith"}), False, frozenset({"not", "endswith"})
            ),
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
    search_fields=(
        "displayName",
        "givenName",
        "surname",
        "mail",
        "userPrincipalName",
        "jobTitle",
        "department",
    ),
)

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
GROUPS = ResourceSpec(
    name="group",
    properties=_typed(
        {
            "id": _rule(frozenset({"eq", "in"}), False, frozenset({"ne", "not"})),
            "displayName": _rule(_DIR_TEXT, True, _DIR_ADV),
            "description": _rule(frozenset({"eq", "startswith"}), False, _DIR_ADV),
            "mail": _rule(_DIR_TEXT, False, _DIR_ADV),
            "mailNickname": _rule(_DIR_TEXT, False, _DIR_ADV),
            "mailEnabled": _rule(frozenset({"eq"}), False, frozenset({"ne", "not"})),
            "securityEnabled": _rule(frozenset({"eq"}), False, frozenset({"ne", "not"})),
            "visibility": _rule(frozenset({"eq"}), False, frozenset({"ne", "not", "in"})),
            "groupTypes": _rule(frozenset({"any", "eq"}), False, frozenset({"not"})),
            "proxyAddresses": _rule(
                frozenset({"any", "eq", "startswith"}), False, frozenset({"not", "endswith"})
            ),
            "createdDateTime": _rule(frozenset({"ge", "le"}), False, frozenset({"eq", "ne", "in", "not"})),
            "resourceProvisioningOptions": _rule(frozenset({"any", "eq"}), False, frozenset({"not"})),
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
    search_fields=("displayName", "description", "mail", "mailNickname"),
)

# Group members are directoryObjects (users here); they answer with the user's default properties.
MEMBERS = ResourceSpec(
    name="directoryObject",
    properties=_typed(
        {
            "id": _rule(frozenset({"eq", "in"}), False, frozenset({"ne", "not"})),
            "displayName": _rule(_DIR_TEXT, True, _DIR_ADV),
            "userPrincipalName": _rule(_DIR_TEXT, True, _DIR_ADV),
            "mail": _rule(_DIR_TEXT, False, _DIR_ADV),
            "jobTitle": _rule(frozenset(), False, _DIR_TEXT | _DIR_ADV),
            "department": _rule(frozenset(), False, _DIR_TEXT | _DIR_ADV),
            "accountEnabled": _rule(frozenset(), False, frozenset({"eq", "ne", "not"})),
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
    search_fields=("displayName", "mail", "userPrincipalName"),
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
