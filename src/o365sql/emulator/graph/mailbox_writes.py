"""Mailbox writes: PATCH mailboxSettings, inbox rules (create 201, update 200, delete 204), calendar groups.

user-update-mailboxsettings.md: "Existing properties that are not included in the request body will maintain
their previous values" (its example 1 patches status and the scheduled dates of automaticRepliesSetting, and
the answer keeps both reply messages), so complex values merge one level deep.
mailfolder-post-messagerules.md: actions, displayName and sequence are required.
calendargroup-post-calendargroups.md / calendargroup-update.md / calendargroup-delete.md.
"""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any

from .auth import CALENDARS, open_mailbox, require_mailbox
from .envelope import Ctx, Owner, Result, json_result
from .errors import GraphError, unknown_property
from .mailbox_settings import (
    CALENDAR_GROUPS,
    MAILBOX_SETTINGS_WRITE,
    MESSAGE_RULES,
    calendar_groups_of,
    inbox_rules,
    settings_of,
)
from .query import entity_result
from .util import K_CALENDAR, change_key, outlook_id

__all__ = [
    "create_calendar_group",
    "create_message_rule",
    "delete_calendar_group",
    "delete_message_rule",
    "update_calendar_group",
    "update_mailbox_settings",
    "update_message_rule",
]

Item = dict[str, Any]
_NOT_FOUND = "The specified object was not found in the store."

# user-update-mailboxsettings.md: the writable properties; archiveFolder and userPurpose are read-only.
_SETTINGS_WRITABLE = frozenset(
    {
        "automaticRepliesSetting",
        "dateFormat",
        "delegateMeetingMessageDeliveryOptions",
        "language",
        "timeFormat",
        "timeZone",
        "workingHours",
    }
)
_SETTINGS_READ_ONLY = frozenset({"archiveFolder", "userPurpose"})
# automaticrepliessetting.md / workinghours.md: the enumerations (matched case-insensitively, as example 1's
# "Scheduled" is answered "scheduled").
_REPLY_STATUS = ("disabled", "alwaysEnabled", "scheduled")
_AUDIENCE = ("none", "contactsOnly", "all")
_DELIVERY = ("sendToDelegateAndInformationToPrincipal", "sendToDelegateAndPrincipal", "sendToDelegateOnly")
_DAYS = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
_RULE_WRITABLE = frozenset({"displayName", "sequence", "isEnabled", "conditions", "actions", "exceptions"})


def _bad(code: str, message: str) -> GraphError:
    return GraphError(400, code, message)


def _enum(value: object, allowed: tuple[str, ...]) -> str:
    """The canonical spelling of an enumeration member; 400 as an unknown member is (RequestBodyRead)."""
    if isinstance(value, str):
        for member in allowed:
            if member.lower() == value.lower():
                return member
    raise _bad("RequestBodyRead", f"Requested value '{value}' was not found.")


def _object(value: object, name: str) -> Item:
    if not isinstance(value, dict):
        raise _bad("RequestBodyRead", f"The property '{name}' takes an object.")  # [U] wording
    return {k: v for k, v in value.items() if not k.startswith("@")}


def _date_time_zone(value: object, name: str) -> Item:
    """A dateTimeTimeZone: dateTime and timeZone both present (400 otherwise) [U: the wording]."""
    found = _object(value, name)
    if not isinstance(found.get("dateTime"), str) or not isinstance(found.get("timeZone"), str):
        raise _bad("ErrorInvalidRequest", f"The property '{name}' needs dateTime and timeZone.")
    return {"dateTime": found["dateTime"], "timeZone": found["timeZone"]}


def _merge_replies(current: Item, patch: Item) -> Item:
    out = dict(current)
    for key, value in patch.items():
        if key == "status":
            out[key] = _enum(value, _REPLY_STATUS)
        elif key == "externalAudience":
            out[key] = _enum(value, _AUDIENCE)
        elif key in ("internalReplyMessage", "externalReplyMessage"):
            if not isinstance(value, str):
                raise _bad("RequestBodyRead", f"The property '{key}' takes a string.")
            out[key] = value
        elif key in ("scheduledStartDateTime", "scheduledEndDateTime"):
            out[key] = _date_time_zone(value, key)
        else:
            raise unknown_property(key, "automaticRepliesSetting")
    return out


def _merge_hours(current: Item, patch: Item) -> Item:
    out = dict(current)
    for key, value in patch.items():
        if key == "daysOfWeek":
            if not isinstance(value, list):
                raise _bad("RequestBodyRead", "The property 'daysOfWeek' takes an array.")
            # user-update-mailboxsettings.md errors: an unknown day is 400 InvalidArguments
            for day in value:
                if not isinstance(day, str) or day.lower() not in _DAYS:
                    raise _bad("InvalidArguments", f"Requested value '{day}' was not found.")
            out[key] = [d.lower() for d in value]
        elif key in ("startTime", "endTime"):
            if not isinstance(value, str) or len(value) < 8 or value[2] != ":":
                raise _bad(
                    "RequestBodyRead",
                    f"Cannot convert the literal '{value}' to the expected type 'Edm.TimeOfDay'.",
                )
            out[key] = value
        elif key == "timeZone":
            out[key] = _object(value, key)
        else:
            raise unknown_property(key, "workingHours")
    if str(out.get("startTime", "")) > str(out.get("endTime", "~")):
        raise _bad("ErrorInvalidTimeSettings", "Start Time should occur before End Time.")
    return out


def update_mailbox_settings(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """PATCH /me/mailboxSettings: 200 with the properties the request changed (checked, then applied)."""
    require_mailbox(ctx, owner.id, MAILBOX_SETTINGS_WRITE)
    settings = settings_of(ctx, owner)
    data = {k: v for k, v in ctx.json_body().items() if not k.startswith("@")}
    changed: Item = {}
    for key, value in data.items():
        if key in _SETTINGS_READ_ONLY:
            # [U] the code and wording Exchange uses for a read-only mailbox setting
            raise _bad("ErrorInvalidRequest", f"The property '{key}' is read-only and cannot be set.")
        if key not in _SETTINGS_WRITABLE:
            raise unknown_property(key, "mailboxSettings")
        if key == "automaticRepliesSetting":
            changed[key] = _merge_replies(settings[key], _object(value, key))
        elif key == "workingHours":
            changed[key] = _merge_hours(settings[key], _object(value, key))
        elif key == "language":
            language = _object(value, key)
            if set(language) - {"locale", "displayName"}:
                raise unknown_property(next(iter(set(language) - {"locale", "displayName"})), "localeInfo")
            changed[key] = {**settings[key], **language}
        elif key == "delegateMeetingMessageDeliveryOptions":
            changed[key] = _enum(value, _DELIVERY)
        elif not isinstance(value, str) or not value:
            raise _bad("RequestBodyRead", f"The property '{key}' takes a non-empty string.")
        else:
            changed[key] = value
    settings.update(changed)
    return json_result({"@odata.context": ctx.meta(f"users('{owner.id}')/mailboxSettings"), **changed})


# -- inbox rules ---------------------------------------------------------------------------------------------
def _rule_fields(data: Item) -> Item:
    out: Item = {}
    for key, value in data.items():
        if key.startswith("@"):
            continue
        if key not in _RULE_WRITABLE:
            raise unknown_property(key, "messageRule")
        if key == "displayName" and (not isinstance(value, str) or not value.strip()):
            raise _bad("ErrorInvalidRequest", "The displayName of a rule cannot be empty.")  # [U] wording
        if key == "sequence" and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
            raise _bad("ErrorInvalidRequest", "The sequence of a rule must be a positive integer.")  # [U]
        if key == "isEnabled" and not isinstance(value, bool):
            raise _bad("RequestBodyRead", "The property 'isEnabled' takes a Boolean.")
        if key in ("conditions", "actions", "exceptions") and value is not None:
            value = _object(value, key)
        out[key] = value
    return out


def _rule(rules: list[Item], rid: str) -> Item:
    for rule in rules:
        if rule["id"] == rid:
            return rule
    raise GraphError(404, "ErrorItemNotFound", _NOT_FOUND)


def _rule_result(ctx: Ctx, owner: Owner, fid: str, rule: Item, status: int) -> Result:
    context = ctx.meta(f"{owner.base}/mailFolders('{fid}')/messageRules/$entity")
    return dataclasses.replace(entity_result(ctx, rule, MESSAGE_RULES, context), status=status)


def create_message_rule(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """POST /me/mailFolders/inbox/messageRules: 201 with the rule."""
    rules = inbox_rules(ctx, owner, g["fid"], write=True)
    fields = _rule_fields(ctx.json_body())
    missing = [k for k in ("displayName", "sequence", "actions") if fields.get(k) is None]
    if missing:
        # mailfolder-post-messagerules.md marks them Required [U: the code and wording]
        raise _bad("ErrorInvalidRequest", f"The rule is missing the required property '{missing[0]}'.")
    number = ctx.store.mailbox(owner.id).next_number()
    rule: Item = {
        "id": "AQAAA" + hashlib.sha256(f"{owner.id}/rule/{number}".encode()).hexdigest()[:10] + "=",
        "displayName": fields["displayName"],
        "sequence": fields["sequence"],
        "isEnabled": fields.get("isEnabled", True),
        "hasError": False,
        "isReadOnly": False,
        "conditions": fields.get("conditions"),
        "actions": fields["actions"],
        "exceptions": fields.get("exceptions"),
    }
    rules.append(rule)
    return _rule_result(ctx, owner, g["fid"], rule, 201)


def update_message_rule(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """PATCH /me/mailFolders/inbox/messageRules/{id}: 200 with the rule."""
    rules = inbox_rules(ctx, owner, g["fid"], write=True)
    rule = _rule(rules, g["rid"])
    fields = _rule_fields(ctx.json_body())
    if "actions" in fields and fields["actions"] is None:
        raise _bad("ErrorInvalidRequest", "A rule needs actions.")  # [U] wording
    rule.update(fields)
    return _rule_result(ctx, owner, g["fid"], rule, 200)


def delete_message_rule(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """DELETE /me/mailFolders/inbox/messageRules/{id}: 204."""
    rules = inbox_rules(ctx, owner, g["fid"], write=True)
    rules.remove(_rule(rules, g["rid"]))
    return Result(status=204)


# -- calendar groups -----------------------------------------------------------------------------------------
def _group_name(data: Item) -> str:
    for key in data:
        if not key.startswith("@") and key != "name":
            raise unknown_property(key, "calendarGroup")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise _bad("ErrorInvalidRequest", "The name of a calendar group cannot be empty.")  # [U] wording
    return name


def _group(groups: list[Item], gid: str) -> Item:
    for group in groups:
        if group["id"] == gid:
            return group
    raise GraphError(404, "ErrorItemNotFound", _NOT_FOUND)


def _unique(groups: list[Item], name: str, this: Item | None = None) -> None:
    if any(g is not this and g["name"].lower() == name.lower() for g in groups):
        # [U] Exchange's answer to a second group of the same name; folders answer 409 ErrorFolderExists
        raise GraphError(409, "ErrorFolderExists", "A calendar group with the specified name already exists.")


def _group_result(ctx: Ctx, owner: Owner, group: Item, status: int) -> Result:
    context = ctx.meta(f"{owner.base}/calendarGroups/$entity")
    return dataclasses.replace(entity_result(ctx, group, CALENDAR_GROUPS, context), status=status)


def create_calendar_group(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """POST /me/calendarGroups: 201 with the group (calendargroup-post-calendargroups.md: name)."""
    box = open_mailbox(ctx, owner, CALENDARS, write=True)
    groups = calendar_groups_of(box)
    name = _group_name(ctx.json_body())
    _unique(groups, name)
    gid = outlook_id(box.key, K_CALENDAR, box.next_number())
    group: Item = {
        "id": gid,
        "name": name,
        "changeKey": change_key(gid, 1),
        "classId": "0006f0b7-0000-0000-c000-000000000046",
    }
    groups.append(group)
    return _group_result(ctx, owner, group, 201)


def update_calendar_group(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """PATCH /me/calendarGroups/{id}: 200 with the group (only name is writable)."""
    box = open_mailbox(ctx, owner, CALENDARS, write=True)
    groups = calendar_groups_of(box)
    group = _group(groups, g["gid"])
    name = _group_name(ctx.json_body())
    _unique(groups, name, group)
    group["name"] = name
    group["changeKey"] = change_key(group["id"], group["changeKey"])
    return _group_result(ctx, owner, group, 200)


def delete_calendar_group(ctx: Ctx, owner: Owner, g: dict[str, str]) -> Result:
    """DELETE /me/calendarGroups/{id}: 204; the default group (My Calendars, the first) is refused."""
    box = open_mailbox(ctx, owner, CALENDARS, write=True)
    groups = calendar_groups_of(box)
    group = _group(groups, g["gid"])
    if group is groups[0]:
        # [U] no page states the answer; Exchange refuses to delete the default calendar folder group
        raise _bad("ErrorCannotDeleteObject", "The default calendar group cannot be deleted.")
    groups.remove(group)
    return Result(status=204)
