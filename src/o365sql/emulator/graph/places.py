"""Places routes: the tenant's rooms, room lists, and the rooms of one room list (place-list.md).

place-list.md: `GET /places/microsoft.graph.room`, `/places/microsoft.graph.roomlist` and
`/places/{room-list-emailaddress}/microsoft.graph.roomlist/rooms` (a room list is named by its address, not
its id); Place.Read.All delegated or application; $filter, $select, $top, $skip and $count; 100 places a page
by default. Which properties $filter takes is not documented: [U] eq/ne on the text and boolean properties
and comparisons on capacity and floorNumber. [U] the largest $top and the 403 code.
"""

from __future__ import annotations

from typing import Any

from ..odata import PropertyRule, ResourceSpec
from .auth import Perm, require_any
from .envelope import Ctx, Result
from .errors import GraphError
from .query import Finish, list_result
from .specs import CMP, EQ, _rule, _typed

__all__ = ["ROOMS", "ROOM_LISTS", "list_room_lists", "list_rooms", "room_list_rooms"]

Item = dict[str, Any]

PLACES = Perm({"Place.Read.All", "Place.ReadWrite.All"}, set(), {"Place.Read.All", "Place.ReadWrite.All"})

_PAGING: dict[str, Any] = {
    "default_top": 100,
    "max_top": 100,  # [U]
    "top_error": ("ErrorInvalidUrlQuery", "The value of the $top parameter must be between 1 and 100."),
    "filter_code": "ErrorInvalidUrlQuery",
}
_ROOM_PROPS = (
    "id",
    "emailAddress",
    "displayName",
    "address",
    "geoCoordinates",
    "phone",
    "nickname",
    "label",
    "capacity",
    "building",
    "floorLabel",
    "floorNumber",
    "isWheelChairAccessible",
    "bookingType",
    "tags",
    "audioDeviceName",
    "videoDeviceName",
    "displayDeviceName",
)
ROOMS = ResourceSpec(
    name="room",
    properties={
        **_typed(
            {
                "id": _rule(EQ),
                "emailAddress": _rule(EQ),
                "displayName": _rule(EQ),
                "building": _rule(EQ),
                "bookingType": _rule(EQ),
                "isWheelChairAccessible": _rule(EQ),
            }
        ),
        # room.md: capacity and floorNumber are Int32
        "capacity": PropertyRule(CMP, edm="Edm.Int32"),
        "floorNumber": PropertyRule(CMP, edm="Edm.Int32"),
    },
    default_select=_ROOM_PROPS,
    selectable=frozenset(_ROOM_PROPS),
    **_PAGING,
)
_LIST_PROPS = ("id", "displayName", "address", "geoCoordinates", "phone", "emailAddress")
ROOM_LISTS = ResourceSpec(
    name="roomList",
    properties=_typed({"id": _rule(EQ), "emailAddress": _rule(EQ), "displayName": _rule(EQ)}),
    default_select=_LIST_PROPS,
    selectable=frozenset(_LIST_PROPS),
    **_PAGING,
)


def _typed_item(kind: str) -> Finish:
    def finish(item: Item, shaped: Item) -> Item:
        return {"@odata.type": f"#microsoft.graph.{kind}", **shaped}

    return finish


def list_rooms(ctx: Ctx, g: dict[str, str]) -> Result:
    """GET /places/microsoft.graph.room."""
    require_any(ctx, PLACES, "ErrorAccessDenied")
    context = ctx.meta("places/microsoft.graph.room")
    return list_result(ctx, ctx.store.places.rooms, ROOMS, context, finish=_typed_item("room"))


def list_room_lists(ctx: Ctx, g: dict[str, str]) -> Result:
    """GET /places/microsoft.graph.roomlist."""
    require_any(ctx, PLACES, "ErrorAccessDenied")
    context = ctx.meta("places/microsoft.graph.roomList")
    return list_result(ctx, ctx.store.places.room_lists, ROOM_LISTS, context, finish=_typed_item("roomList"))


def room_list_rooms(ctx: Ctx, g: dict[str, str]) -> Result:
    """GET /places/{room-list-emailaddress}/microsoft.graph.roomlist/rooms."""
    require_any(ctx, PLACES, "ErrorAccessDenied")
    rooms = ctx.store.places.members.get(g["address"].lower())
    if rooms is None:
        # [U] the code for an address that is no room list
        raise GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")
    context = ctx.meta(f"places('{g['address']}')/microsoft.graph.roomList/rooms")
    return list_result(ctx, rooms, ROOMS, context, finish=_typed_item("room"))
