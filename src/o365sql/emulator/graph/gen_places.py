"""The demo tenant's places: room lists (one per building) and their rooms (room.md, roomlist.md).

Fixed data (no randomness): three buildings, three or four rooms each. Rooms and room lists are Exchange
resource mailboxes; their addresses appear in group events' locations and attendees (gen_group_calendar),
but they are not listed among /users, so the demo directory's user counts stay as they were.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..directory import stable_guid
from .model import DemoBasis

__all__ = ["Places", "build_places"]

Item = dict[str, Any]

# (building, list address alias, street, city, state, postal, country, latitude, longitude, rooms)
# each room: (name, alias, floor, capacity, booking type, wheelchair accessible, display device)
_BUILDINGS: tuple[tuple[Any, ...], ...] = (
    (
        "Building 1",
        "building1-rooms",
        "One Microsoft Way",
        "Redmond",
        "WA",
        "98052",
        "United States",
        47.6396,
        -122.1283,
        (
            ("Conf Room Adams", "confadams", 1, 8, "standard", True, "Surface Hub"),
            ("Conf Room Baker", "confbaker", 1, 12, "standard", True, "Surface Hub"),
            ("Conf Room Rainier", "confrainier", 2, 20, "reserved", False, "Projector"),
            ("Focus Room 204", "focus204", 2, 2, "standard", False, None),
        ),
    ),
    (
        "Building 2",
        "building2-rooms",
        "15010 NE 36th Street",
        "Redmond",
        "WA",
        "98052",
        "United States",
        47.6432,
        -122.1410,
        (
            ("Cafe Commons", "cafecommons", 1, 40, "standard", True, "Large display"),
            ("Conf Room Olympic", "confolympic", 3, 10, "standard", True, "Surface Hub"),
            ("Board Room", "boardroom", 4, 16, "reserved", True, "Teams Room"),
        ),
    ),
    (
        "Dublin Office",
        "dublin-rooms",
        "South County Business Park",
        "Dublin",
        None,
        "D18 P521",
        "Ireland",
        53.2721,
        -6.2006,
        (
            ("Liffey", "liffey", 0, 6, "standard", True, "Teams Room"),
            ("Howth", "howth", 1, 10, "standard", False, "Projector"),
            ("Wicklow", "wicklow", 1, 4, "standard", True, None),
        ),
    ),
)


@dataclass
class Places:
    """Room lists and rooms; `members` maps a room list's address (lower case) to its rooms."""

    room_lists: list[Item] = field(default_factory=list)
    rooms: list[Item] = field(default_factory=list)
    members: dict[str, list[Item]] = field(default_factory=dict)


def build_places(basis: DemoBasis) -> Places:
    """Every building's room list and rooms (the same with --data empty: places are tenant configuration)."""
    domain = basis.directory.tenant.domain
    places = Places()
    for n, (building, alias, street, city, state, postal, country, lat, lon, rooms) in enumerate(_BUILDINGS):
        address = {
            "street": street,
            "city": city,
            "state": state,
            "countryOrRegion": country,
            "postalCode": postal,
        }
        list_address = f"{alias}@{domain}"
        places.room_lists.append(
            {
                "id": stable_guid("roomlist", basis.seed, n),
                "displayName": f"{building} Rooms",
                "address": address,
                "geoCoordinates": {"latitude": lat, "longitude": lon, "altitude": None},
                "phone": None,
                "emailAddress": list_address,
            }
        )
        members: list[Item] = []
        for k, (name, room_alias, floor, capacity, booking, wheelchair, display) in enumerate(rooms):
            members.append(
                {
                    "id": stable_guid("room", basis.seed, n, k),
                    "emailAddress": f"{room_alias}@{domain}",
                    "displayName": name,
                    "address": address,
                    "geoCoordinates": {"latitude": lat, "longitude": lon, "altitude": None},
                    "phone": f"+1 425 555 {100 * (n + 1) + k:04d}",
                    "nickname": name,
                    "label": f"{floor}{k + 1:02d}",
                    "capacity": capacity,
                    "building": building,
                    "floorLabel": f"Floor {floor}",
                    "floorNumber": floor,
                    "isWheelChairAccessible": wheelchair,
                    "bookingType": booking,
                    "tags": ["whiteboard"] if capacity >= 8 else [],
                    "audioDeviceName": "Ceiling microphones" if display else None,
                    "videoDeviceName": "Teams camera" if display in ("Teams Room", "Surface Hub") else None,
                    "displayDeviceName": display,
                }
            )
        places.members[list_address.lower()] = members
        places.rooms.extend(members)
    return places
