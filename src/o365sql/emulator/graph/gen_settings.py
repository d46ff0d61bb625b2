"""The demo tenant's mailbox settings: time zone, automatic replies, language, working hours per user."""

from __future__ import annotations

import hashlib
import random
from typing import Any

from .util import outlook_id

__all__ = ["mailbox_settings_of"]

Item = dict[str, Any]

_ZONES = {"US": "Pacific Standard Time", "IE": "GMT Standard Time", "DE": "W. Europe Standard Time"}


def mailbox_settings_of(seed: int, user: Item) -> Item:
    """The user's mailboxSettings: time zone from the usage location; every third user is out of office."""
    rng = random.Random(f"{seed}/mailboxsettings/{user['id']}")
    zone = _ZONES.get(user.get("usageLocation") or "", "Eastern Standard Time")
    away = rng.random() < 0.34
    return {
        "archiveFolder": outlook_id(hashlib.sha256(user["id"].encode()).digest()[:16], 1, 1),
        "timeZone": zone,
        "automaticRepliesSetting": {
            "status": "alwaysEnabled" if away else "disabled",
            "externalAudience": "contactsOnly" if away else "all",
            "internalReplyMessage": f"{user['displayName']} is away this week." if away else "",
            "externalReplyMessage": "I am out of the office." if away else "",
            "scheduledStartDateTime": {"dateTime": "2026-01-05T08:00:00.0000000", "timeZone": "UTC"},
            "scheduledEndDateTime": {"dateTime": "2026-01-09T17:00:00.0000000", "timeZone": "UTC"},
        },
        "language": {
            "locale": user.get("preferredLanguage") or "en-US",
            "displayName": "English (United States)",
        },
        "dateFormat": "M/d/yyyy",
        "timeFormat": "h:mm tt",
        "delegateMeetingMessageDeliveryOptions": "sendToDelegateOnly",
        "userPurpose": "user",
        "workingHours": {
            "daysOfWeek": ["monday", "tuesday", "wednesday", "thursday", "friday"],
            "startTime": "08:00:00.0000000",
            "endTime": "17:00:00.0000000",
            "timeZone": {"name": zone},
        },
    }
