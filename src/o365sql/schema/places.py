"""Places: Rooms and RoomLists (GET /places/microsoft.graph.room and /places/microsoft.graph.roomlist)."""

from __future__ import annotations

from ._types import ColumnSpec, TableSpec, col

__all__ = ["ROOMS", "ROOM_LISTS"]

# place-list.md: Place.Read.All (delegated and application); $filter, $select, $top, $skip, $count; 100
# places a page by default. Which properties $filter takes is not documented [U]: only eq on the address,
# name and building, comparisons on capacity and eq on the wheelchair flag are sent, and text is re-checked.
_PERMISSIONS = (("Place.Read.All",), ("Place.Read.All",))


def _address(what: str) -> tuple[ColumnSpec, ...]:
    return (
        col("address_street", read_only=True, desc=f"Street of the {what}"),
        col("address_city", read_only=True, desc="City"),
        col("address_state", read_only=True, desc="State or province"),
        col("address_postalCode", read_only=True, desc="Postal code"),
        col("address_countryOrRegion", read_only=True, desc="Country or region"),
        col("geoCoordinates_latitude", "REAL", read_only=True, desc="Latitude"),
        col("geoCoordinates_longitude", "REAL", read_only=True, desc="Longitude"),
        col("phone", read_only=True, desc="Phone number"),
    )


ROOM_LISTS = TableSpec(
    name="RoomLists",
    permissions=_PERMISSIONS,
    typical_rows=10,
    description="Room lists of the tenant, one per building or area (GET /places/microsoft.graph.roomlist). "
    "Join Rooms on Rooms.RoomListEmail = RoomLists.emailAddress for a list's rooms.",
    collection="/places/microsoft.graph.roomlist",
    max_page=100,
    supports_skip=True,
    columns=(
        col("id", read_only=True, not_null=True, desc="Room list id (the key)"),
        col("displayName", ops="eq", read_only=True, desc="Name"),
        col("emailAddress", ops="eq", read_only=True, desc="The room list's address (names it in Rooms)"),
        *_address("room list"),
    ),
)

ROOMS = TableSpec(
    name="Rooms",
    permissions=_PERMISSIONS,
    typical_rows=100,
    description="Meeting rooms of the tenant (GET /places/microsoft.graph.room); RoomListEmail = x reads the "
    "rooms of one room list (GET /places/{x}/microsoft.graph.roomlist/rooms).",
    collection="/places/microsoft.graph.room",
    # place-list.md: a room list is named by its emailAddress, not its id
    routes={"RoomListEmail": "/places/{RoomListEmail}/microsoft.graph.roomlist/rooms"},
    max_page=100,
    supports_skip=True,
    columns=(
        col("id", read_only=True, not_null=True, desc="Room id (the key)"),
        col("displayName", ops="eq", read_only=True, desc="Name"),
        col("emailAddress", ops="eq", read_only=True, desc="The room's mailbox (book it as an attendee)"),
        col("nickname", read_only=True, desc="Short name"),
        col("label", read_only=True, desc="Label (room number)"),
        col("capacity", "INTEGER", ops="range", read_only=True, desc="Seats"),
        col("building", ops="eq", read_only=True, desc="Building"),
        col("floorLabel", read_only=True, desc="Floor label"),
        col("floorNumber", "INTEGER", read_only=True, desc="Floor number"),
        col("isWheelChairAccessible", "BOOLEAN", ops="bool", read_only=True, desc="Wheelchair accessible"),
        col("bookingType", read_only=True, desc="standard (bookable) or reserved"),
        col("tags", "JSON", read_only=True, desc="Tags (JSON array)"),
        col("audioDeviceName", read_only=True, desc="Audio device"),
        col("videoDeviceName", read_only=True, desc="Video device"),
        col("displayDeviceName", read_only=True, desc="Display device"),
        *_address("room"),
        col(
            "RoomListEmail",
            kind="param",
            desc="A constraint reads that room list's rooms; NULL when every room was read",
        ),
    ),
)
