"""Checklist 21 and 38: every list endpoint answers Graph's envelope with exactly section D's default
properties, each of section D's JSON type (null where Graph sends null, [] and {} for empty values)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest

Check = Callable[[Any], bool]

DT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$")
DTZ_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}$")
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
OUTLOOK_ID = re.compile(r"^AAMkA[A-Za-z0-9_\-]+=*$")


def s(v: Any) -> bool:
    return isinstance(v, str)


def s_(v: Any) -> bool:
    return v is None or isinstance(v, str)


def b(v: Any) -> bool:
    return isinstance(v, bool)


def b_(v: Any) -> bool:
    return v is None or isinstance(v, bool)


def i(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def dt(v: Any) -> bool:
    return isinstance(v, str) and bool(DT.match(v))


def dt_(v: Any) -> bool:
    return v is None or dt(v)


def strs(v: Any) -> bool:
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


def email(v: Any) -> bool:
    return isinstance(v, dict) and set(v) == {"name", "address"} and s(v["name"]) and s(v["address"])


def recipient(v: Any) -> bool:
    return isinstance(v, dict) and set(v) == {"emailAddress"} and email(v["emailAddress"])


def recipient_(v: Any) -> bool:
    return v is None or recipient(v)


def recipients(v: Any) -> bool:
    return isinstance(v, list) and all(recipient(x) for x in v)


def item_body(v: Any) -> bool:
    return (
        isinstance(v, dict) and set(v) == {"contentType", "content"} and v["contentType"] in ("html", "text")
    )


def dtz(v: Any) -> bool:
    return isinstance(v, dict) and set(v) == {"dateTime", "timeZone"} and bool(DTZ_TIME.match(v["dateTime"]))


def flag(v: Any) -> bool:
    ok = isinstance(v, dict) and v.get("flagStatus") in ("notFlagged", "complete", "flagged")
    extra = set(v) - {"flagStatus", "startDateTime", "dueDateTime", "completedDateTime"} if ok else {1}
    return ok and not extra and all(dtz(v[k]) for k in v if k != "flagStatus")


def obj(v: Any) -> bool:
    return isinstance(v, dict)


def obj_(v: Any) -> bool:
    return v is None or isinstance(v, dict)


def objs(v: Any) -> bool:
    return isinstance(v, list) and all(isinstance(x, dict) for x in v)


def one_of(*values: str) -> Check:
    return lambda v: v in values


def address(v: Any) -> bool:
    keys = {"street", "city", "state", "countryOrRegion", "postalCode"}
    return isinstance(v, dict) and (v == {} or (set(v) == keys and all(s(x) for x in v.values())))


def identity_set(v: Any) -> bool:
    return (
        isinstance(v, dict)
        and set(v) <= {"user", "application", "device"}
        and all(obj(x) for x in v.values())
    )


MESSAGE: dict[str, Check] = {
    "@odata.etag": s,
    "id": lambda v: s(v) and bool(OUTLOOK_ID.match(v)),
    "createdDateTime": dt,
    "lastModifiedDateTime": dt,
    "changeKey": s,
    "categories": strs,
    "receivedDateTime": dt,
    "sentDateTime": dt,
    "hasAttachments": b,
    "internetMessageId": lambda v: s(v) and v.startswith("<") and v.endswith(">") and "@" in v,
    "subject": s,
    "bodyPreview": s,
    "importance": one_of("low", "normal", "high"),
    "parentFolderId": s,
    "conversationId": s,
    "conversationIndex": s,
    "isDeliveryReceiptRequested": b_,
    "isReadReceiptRequested": b,
    "isRead": b,
    "isDraft": b,
    "webLink": s,
    "inferenceClassification": one_of("focused", "other"),
    "body": item_body,
    "sender": recipient_,
    "from": recipient_,
    "toRecipients": recipients,
    "ccRecipients": recipients,
    "bccRecipients": recipients,
    "replyTo": recipients,
    "flag": flag,
}
LOCATION_KEYS = {"displayName", "locationType", "uniqueId", "uniqueIdType", "address", "coordinates"}
EVENT: dict[str, Check] = {
    "@odata.etag": s,
    "id": s,
    "createdDateTime": dt,
    "lastModifiedDateTime": dt,
    "changeKey": s,
    "categories": strs,
    "transactionId": s_,
    "originalStartTimeZone": s,
    "originalEndTimeZone": s,
    "iCalUId": s,
    "uid": s,
    "reminderMinutesBeforeStart": i,
    "isReminderOn": b,
    "hasAttachments": b,
    "subject": s,
    "bodyPreview": s,
    "importance": one_of("low", "normal", "high"),
    "sensitivity": one_of("normal", "personal", "private", "confidential"),
    "isAllDay": b,
    "isCancelled": b,
    "isOrganizer": b,
    "responseRequested": b,
    "seriesMasterId": s_,
    "showAs": one_of("free", "tentative", "busy", "oof", "workingElsewhere", "unknown"),
    "type": one_of("singleInstance", "occurrence", "exception", "seriesMaster"),
    "webLink": s,
    "onlineMeetingUrl": s_,
    "isOnlineMeeting": b,
    "onlineMeetingProvider": s,
    "allowNewTimeProposals": b,
    "occurrenceId": lambda v: v is None,
    "isDraft": b,
    "hideAttendees": b,
    "responseStatus": lambda v: obj(v) and set(v) == {"response", "time"} and dt(v["time"]),
    "body": item_body,
    "start": dtz,
    "end": dtz,
    "location": lambda v: obj(v) and set(v) <= LOCATION_KEYS and {"displayName", "locationType"} <= set(v),
    "locations": objs,
    "recurrence": obj_,
    "attendees": lambda v: (
        isinstance(v, list)
        and all(
            set(a) == {"type", "status", "emailAddress"}
            and a["type"] in ("required", "optional", "resource")
            and email(a["emailAddress"])
            for a in v
        )
    ),
    "organizer": recipient,
    "onlineMeeting": lambda v: v is None or (obj(v) and s(v.get("joinUrl"))),
}
CONTACT: dict[str, Check] = {
    "@odata.etag": s,
    "id": s,
    "createdDateTime": dt,
    "lastModifiedDateTime": dt,
    "changeKey": s,
    "categories": strs,
    "parentFolderId": s,
    "birthday": dt_,
    "fileAs": s,
    "displayName": s,
    "givenName": s_,
    "initials": s_,
    "middleName": s_,
    "nickName": s_,
    "surname": s_,
    "title": s_,
    "yomiGivenName": s_,
    "yomiSurname": s_,
    "yomiCompanyName": s_,
    "generation": s_,
    "emailAddresses": lambda v: isinstance(v, list) and all(email(x) for x in v),
    "imAddresses": strs,
    "jobTitle": s_,
    "companyName": s_,
    "department": s_,
    "officeLocation": s_,
    "profession": s_,
    "businessHomePage": s_,
    "assistantName": s_,
    "manager": s_,
    "homePhones": strs,
    "mobilePhone": s_,
    "businessPhones": strs,
    "spouseName": s_,
    "personalNotes": s_,
    "children": strs,
    "homeAddress": address,
    "businessAddress": address,
    "otherAddress": address,
}
USER: dict[str, Check] = {
    "businessPhones": strs,
    "displayName": s,
    "givenName": s_,
    "jobTitle": s_,
    "mail": s_,
    "mobilePhone": s_,
    "officeLocation": s_,
    "preferredLanguage": s_,
    "surname": s_,
    "userPrincipalName": s,
    "id": lambda v: s(v) and bool(GUID.match(v)),
}
GROUP: dict[str, Check] = {
    "id": lambda v: s(v) and bool(GUID.match(v)),
    "deletedDateTime": dt_,
    "classification": s_,
    "createdDateTime": dt,
    "creationOptions": strs,
    "description": s_,
    "displayName": s,
    "expirationDateTime": dt_,
    "groupTypes": strs,
    "isAssignableToRole": b_,
    "mail": s_,
    "mailEnabled": b,
    "mailNickname": s,
    "membershipRule": s_,
    "membershipRuleProcessingState": s_,
    "onPremisesDomainName": s_,
    "onPremisesLastSyncDateTime": dt_,
    "onPremisesNetBiosName": s_,
    "onPremisesSamAccountName": s_,
    "onPremisesSecurityIdentifier": s_,
    "onPremisesSyncEnabled": b_,
    "preferredDataLocation": s_,
    "preferredLanguage": s_,
    "proxyAddresses": strs,
    "renewedDateTime": dt,
    "resourceBehaviorOptions": strs,
    "resourceProvisioningOptions": strs,
    "securityEnabled": b,
    "securityIdentifier": s,
    "theme": s_,
    "visibility": lambda v: v in (None, "Public", "Private", "HiddenMembership"),
    "onPremisesProvisioningErrors": objs,
}
MAIL_FOLDER: dict[str, Check] = {
    "id": s,
    "displayName": s,
    "parentFolderId": s,
    "childFolderCount": i,
    "unreadItemCount": i,
    "totalItemCount": i,
    "sizeInBytes": i,
    "isHidden": b,
}
CALENDAR: dict[str, Check] = {
    "@odata.etag": s,
    "id": s,
    "name": s,
    "color": s,
    "hexColor": s,
    "isDefaultCalendar": b,
    "changeKey": s,
    "canShare": b,
    "canViewPrivateItems": b,
    "canEdit": b,
    "allowedOnlineMeetingProviders": strs,
    "defaultOnlineMeetingProvider": s,
    "isTallyingResponses": b,
    "isRemovable": b,
    "owner": email,
}
CONTACT_FOLDER: dict[str, Check] = {"id": s, "displayName": s, "parentFolderId": s}
ATTACHMENT: dict[str, Check] = {
    "@odata.type": one_of("#microsoft.graph.fileAttachment"),
    "@odata.mediaContentType": s,
    "id": s,
    "lastModifiedDateTime": dt,
    "name": s,
    "contentType": s,
    "size": i,
    "isInline": b,
    "contentId": s_,
    "contentLocation": s_,
    "contentBytes": s,
}
DRIVE_COMMON: dict[str, Check] = {
    "createdDateTime": dt,
    "eTag": s,
    "id": lambda v: s(v) and v.startswith("01") and len(v) == 34,
    "lastModifiedDateTime": dt,
    "name": s,
    "webUrl": s,
    "cTag": s,
    "size": i,
    "createdBy": identity_set,
    "lastModifiedBy": identity_set,
    "parentReference": lambda v: (
        obj(v)
        and v["driveType"] == "business"
        and s(v["driveId"])
        and s(v["id"])
        and v["path"].startswith("/drive/root:")
    ),
    "fileSystemInfo": lambda v: obj(v) and dt(v["createdDateTime"]) and dt(v["lastModifiedDateTime"]),
}
DRIVE_FILE = {
    **DRIVE_COMMON,
    "@microsoft.graph.downloadUrl": s,
    "file": lambda v: obj(v) and s(v["mimeType"]) and s(v["hashes"]["quickXorHash"]),
}
DRIVE_FOLDER = {**DRIVE_COMMON, "folder": lambda v: obj(v) and i(v["childCount"])}


def check_item(item: dict[str, Any], shape: dict[str, Check], where: str) -> None:
    assert set(item) == set(shape), (
        f"{where}: extra {set(item) - set(shape)}, missing {set(shape) - set(item)}"
    )
    bad = [k for k, check in shape.items() if not check(item[k])]
    assert not bad, f"{where}: wrong type/value for {[(k, item[k]) for k in bad]}"


def check_envelope(body: dict[str, Any], context_suffix: str) -> list[dict[str, Any]]:
    assert set(body) <= {"@odata.context", "value", "@odata.nextLink", "@odata.count"}
    assert body["@odata.context"].endswith(context_suffix), body["@odata.context"]
    assert "/v1.0/$metadata#" in body["@odata.context"]
    assert isinstance(body["value"], list) and body["value"]
    items: list[dict[str, Any]] = body["value"]
    return items


WINDOW = "startDateTime={lo}&endDateTime={hi}"


@pytest.mark.parametrize(
    ("path", "context", "shape"),
    [
        ("/me/messages?$top=200", "/messages", MESSAGE),
        ("/me/mailFolders/inbox/messages?$top=50", "/mailFolders('inbox')/messages", MESSAGE),
        ("/me/events?$top=100", "/events", EVENT),
        ("/me/contacts?$top=100", "/contacts", CONTACT),
        ("/users", "#users", USER),
        ("/groups", "#groups", GROUP),
        ("/me/mailFolders", "/mailFolders", MAIL_FOLDER),
        ("/me/calendars", "/calendars", CALENDAR),
        ("/me/contactFolders", "/contactFolders", CONTACT_FOLDER),
    ],
)
def test_list_shapes(graph: httpx.Client, path: str, context: str, shape: dict[str, Check]) -> None:
    """Each item of each list endpoint has exactly the default property set, with section D's types."""
    r = graph.get(path)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == (
        "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"
    )
    for n, item in enumerate(check_envelope(r.json(), context)):
        check_item(item, shape, f"{path} item {n}")


def test_calendar_view_shapes(graph: httpx.Client) -> None:
    """calendarView items (occurrences, exceptions, single instances) have the event shape."""
    r = graph.get(
        "/me/calendarView?startDateTime=2000-01-01T00:00:00Z&endDateTime=2100-01-01T00:00:00Z&$top=500"
    )
    assert r.status_code == 200, r.text
    items = check_envelope(r.json(), "/calendarView")
    kinds = {e["type"] for e in items}
    assert {"occurrence", "singleInstance", "exception"} <= kinds
    for n, item in enumerate(items):
        check_item(item, EVENT, f"calendarView item {n}")


def test_drive_children_shapes(graph: httpx.Client) -> None:
    """Drive children: files carry file+downloadUrl, folders carry folder; never both; no root facet."""
    for path in (
        "/me/drive/root/children",
        "/me/drive/root:/Projects/Falcon:/children",
        "/me/drive/root:/Documents:/children",
    ):
        r = graph.get(path)
        assert r.status_code == 200, r.text
        for n, item in enumerate(check_envelope(r.json(), "/children")):
            check_item(item, DRIVE_FILE if "file" in item else DRIVE_FOLDER, f"{path} item {n}")


def test_attachment_and_group_member_shapes(graph: httpx.Client) -> None:
    """Attachments are fileAttachments; group members are users marked with @odata.type."""
    msgs = graph.get("/me/messages?$filter=hasAttachments eq true&$top=20&$select=id").json()["value"]
    assert msgs
    for m in msgs:
        r = graph.get(f"/me/messages/{m['id']}/attachments")
        assert r.status_code == 200
        for att in check_envelope(r.json(), "/attachments"):
            check_item(att, ATTACHMENT, "attachment")
    group = graph.get("/groups?$top=1").json()["value"][0]
    r = graph.get(f"/groups/{group['id']}/members")
    for member in check_envelope(r.json(), "#directoryObjects"):
        assert member.pop("@odata.type") == "#microsoft.graph.user"
        check_item(member, USER, "member")


def test_single_entity_shapes(graph: httpx.Client) -> None:
    """GET of one entity: the same property set plus @odata.context ending in /$entity."""
    me = graph.get("/me").json()
    assert me.pop("@odata.context").endswith("$metadata#users/$entity")
    check_item(me, USER, "/me")
    first = graph.get("/me/messages?$top=1").json()["value"][0]
    one = graph.get(f"/me/messages/{first['id']}").json()
    assert one.pop("@odata.context").endswith("/messages/$entity")
    check_item(one, MESSAGE, "message")
    root = graph.get("/me/drive/root").json()
    root.pop("@odata.context")
    assert root.pop("root") == {}
    check_item(root, {**DRIVE_FOLDER, "parentReference": lambda v: v["driveType"] == "business"}, "root")


def test_select_limits_properties(graph: httpx.Client) -> None:
    """$select returns the named properties plus id (and the etag on Outlook items)."""
    item = graph.get("/me/messages?$top=1&$select=subject,from").json()["value"][0]
    assert set(item) == {"@odata.etag", "id", "subject", "from"}
    user = graph.get("/users?$top=1&$select=displayName,department").json()["value"][0]
    assert set(user) == {"displayName", "department"}  # the directory adds no id (user-list.md)
    r = graph.get("/me/messages?$top=1&$select=uniqueBody,internetMessageHeaders")
    item = r.json()["value"][0]
    assert item_body(item["uniqueBody"]) and objs(item["internetMessageHeaders"])
