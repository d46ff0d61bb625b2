"""Contact tables: Contacts and ContactFolders."""

from __future__ import annotations

from ._types import ColumnSpec, TableSpec, col
from .mail import USER_ID

__all__ = ["CONTACTS", "CONTACT_FOLDERS"]


def _address(prefix: str, desc: str) -> tuple[ColumnSpec, ...]:
    return tuple(
        col(f"{prefix}_{part}", desc=f"{desc}: {part}")
        for part in ("street", "city", "state", "countryOrRegion", "postalCode")
    )


CONTACTS = TableSpec(
    name="Contacts",
    permissions=(("Contacts.Read",), ("Contacts.Read",)),
    typical_rows=500,
    description="Personal contacts (GET /me/contacts); parentFolderId = x reads one contact folder.",
    collection="{scope}/contacts",
    item="{scope}/contacts/{id}",
    per_user=True,
    routes={"parentFolderId": "{scope}/contactFolders/{parentFolderId}/contacts"},
    max_page=1000,
    supports_skip=True,
    orderby_rule="outlook",
    writes=frozenset({"INSERT", "UPDATE", "DELETE"}),
    insert_only=("parentFolderId",),
    write_permissions=(("Contacts.ReadWrite",), ("Contacts.ReadWrite",)),
    columns=(
        col("id", read_only=True, not_null=True, desc="Contact id (the key)"),
        col("displayName", ops="prefix", desc="Display name"),
        col("givenName", ops="prefix", desc="First name"),
        col("surname", ops="prefix", desc="Last name"),
        col("middleName", desc="Middle name"),
        col("nickName", desc="Nickname"),
        col("title", desc="Title"),
        col("initials", desc="Initials"),
        col("fileAs", desc="File as"),
        col("emailAddresses", "JSON", desc="Email addresses (JSON array of {name, address})"),
        col("imAddresses", "JSON", desc="IM addresses (JSON)"),
        col("businessPhones", "JSON", desc="Business phones (JSON)"),
        col("homePhones", "JSON", desc="Home phones (JSON)"),
        col("mobilePhone", desc="Mobile phone"),
        col("jobTitle", desc="Job title"),
        col("companyName", ops="prefix", desc="Company"),
        col("department", desc="Department"),
        col("officeLocation", desc="Office"),
        col("profession", desc="Profession"),
        col("manager", desc="Manager"),
        col("assistantName", desc="Assistant"),
        col("businessHomePage", desc="Business web page"),
        *_address("businessAddress", "Business address"),
        *_address("homeAddress", "Home address"),
        col("birthday", "DATETIME", desc="Birthday"),
        col("personalNotes", desc="Notes"),
        col("spouseName", desc="Spouse"),
        col("children", "JSON", desc="Children (JSON)"),
        col("categories", "JSON", desc="Categories (JSON)"),
        col("parentFolderId", desc="Contact folder id (INSERT: create the contact there)"),
        col(
            "createdDateTime",
            "DATETIME",
            ops="range",
            orderable=True,
            read_only=True,
            not_null=True,
            desc="Created",
        ),
        col(
            "lastModifiedDateTime",
            "DATETIME",
            ops="range",
            orderable=True,
            read_only=True,
            not_null=True,
            desc="Last change",
        ),
        col("changeKey", read_only=True, desc="Version"),
        USER_ID,
    ),
)

CONTACT_FOLDERS = TableSpec(
    name="ContactFolders",
    permissions=(("Contacts.Read",), ("Contacts.Read",)),
    typical_rows=5,
    description="Contact folders (GET /me/contactFolders).",
    collection="{scope}/contactFolders",
    item="{scope}/contactFolders/{id}",
    per_user=True,
    max_page=1000,
    writes=frozenset({"INSERT", "UPDATE", "DELETE"}),
    insert_required=("displayName",),
    write_permissions=(("Contacts.ReadWrite",), ("Contacts.ReadWrite",)),
    columns=(
        col("id", read_only=True, not_null=True, desc="Folder id (the key)"),
        col("displayName", ops="eq", desc="Folder name"),
        col("parentFolderId", read_only=True, desc="Parent folder id"),
        USER_ID,
    ),
)
