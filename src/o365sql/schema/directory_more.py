"""More directory tables: DirectReports, Licenses (subscribedSkus), OrgContacts, Devices, DirectoryRoles and
DirectoryRoleMembers."""

from __future__ import annotations

import dataclasses

from ._types import ColumnSpec, TableSpec, col

__all__ = [
    "DEVICES",
    "DIRECTORY_ROLES",
    "DIRECTORY_ROLE_MEMBERS",
    "DIRECT_REPORTS",
    "LICENSES",
    "ORG_CONTACTS",
]


def _member_columns(parent: str, desc: str) -> tuple[ColumnSpec, ...]:
    # directoryObjects listed under a parent, as GroupMembers shows them
    return (
        col(parent, kind="param", not_null=True, desc=desc),
        col("id", read_only=True, not_null=True, desc="Object id"),
        col("memberType", kind="odata_type", read_only=True, desc="user, group, servicePrincipal, ..."),
        col("displayName", read_only=True, desc="Display name"),
        col("mail", read_only=True, desc="Mail"),
        col("userPrincipalName", read_only=True, desc="Sign-in name (users)"),
        col("jobTitle", read_only=True, desc="Job title (users)"),
    )


def _ge_le(column: ColumnSpec) -> ColumnSpec:
    # directory DateTimeOffset properties take ge and le without advanced queries (aad-advanced-queries.md)
    return dataclasses.replace(column, filter_ops=frozenset({"ge", "le"}))


# user-list-directreports.md: User.ReadBasic.All is the least privileged (delegated), User.Read.All (app).
DIRECT_REPORTS = TableSpec(
    name="DirectReports",
    permissions=(("User.ReadBasic.All", "User.Read.All"), ("User.Read.All",)),
    typical_rows=5,
    parent_table="Users",
    description="Direct reports of users (GET /users/{id}/directReports): ManagerId is the manager's id. "
    "Give ManagerId, or the table lists every user first.",
    collection="/users/{ManagerId}/directReports",
    key=("ManagerId", "id"),
    parent_key="ManagerId",
    fanout_collection="/users",
    max_page=999,
    columns=_member_columns("ManagerId", "The manager"),
)

# subscribedsku-list.md: no query parameters but $select.
LICENSES = TableSpec(
    name="Licenses",
    permissions=(("LicenseAssignment.Read.All", "Organization.Read.All"), ("LicenseAssignment.Read.All",)),
    typical_rows=10,
    description="The tenant's licence subscriptions (GET /subscribedSkus): units bought and assigned.",
    collection="/subscribedSkus",
    max_page=None,
    columns=(
        col("id", read_only=True, not_null=True, desc="Subscription id (the key)"),
        col("skuId", read_only=True, desc="SKU id (what Users.assignedLicenses names)"),
        col("skuPartNumber", read_only=True, desc="SKU name, e.g. ENTERPRISEPACK"),
        col("appliesTo", read_only=True, desc="User or Company"),
        col("capabilityStatus", read_only=True, desc="Enabled, Warning, Suspended, Deleted or LockedOut"),
        col("consumedUnits", "INTEGER", read_only=True, desc="Licences assigned"),
        col("prepaidUnits_enabled", "INTEGER", read_only=True, desc="Licences bought"),
        col("prepaidUnits_suspended", "INTEGER", read_only=True, desc="Licences suspended"),
        col("prepaidUnits_warning", "INTEGER", read_only=True, desc="Licences in warning"),
        col("servicePlans", "JSON", read_only=True, desc="Service plans included (JSON)"),
        col("accountName", read_only=True, desc="Account name"),
    ),
)

# orgcontact-list.md with aad-advanced-queries.md: eq and startswith on the indexed strings.
ORG_CONTACTS = TableSpec(
    name="OrgContacts",
    permissions=(("OrgContact.Read.All",), ("OrgContact.Read.All",)),
    typical_rows=100,
    description="Organisational contacts of the directory (GET /contacts).",
    collection="/contacts",
    max_page=999,
    orderby_rule="directory",
    columns=(
        col("id", read_only=True, not_null=True, desc="Object id (the key)"),
        col("displayName", ops="prefix", orderable=True, read_only=True, desc="Display name"),
        col("givenName", ops="prefix", read_only=True, desc="First name"),
        col("surname", ops="prefix", read_only=True, desc="Last name"),
        col("mail", ops="prefix", read_only=True, desc="Address"),
        col("mailNickname", ops="prefix", read_only=True, desc="Mail alias"),
        col("companyName", ops="prefix", read_only=True, desc="Company"),
        col("jobTitle", ops="prefix", read_only=True, desc="Job title"),
        col("department", read_only=True, desc="Department"),
        col("phones", "JSON", read_only=True, desc="Phones (JSON)"),
        col("addresses", "JSON", read_only=True, desc="Addresses (JSON)"),
        col("proxyAddresses", "JSON", read_only=True, desc="Proxy addresses (JSON)"),
        col("onPremisesSyncEnabled", "BOOLEAN", read_only=True, desc="Synced from on-premises"),
    ),
)

DEVICES = TableSpec(
    name="Devices",
    permissions=(("Device.Read.All",), ("Device.Read.All",)),
    typical_rows=1000,
    description="Devices registered in the directory (GET /devices).",
    collection="/devices",
    max_page=999,
    orderby_rule="directory",
    columns=(
        col("id", read_only=True, not_null=True, desc="Object id (the key)"),
        col("deviceId", ops="eq", read_only=True, desc="Device id set at registration"),
        col("displayName", ops="prefix", orderable=True, read_only=True, desc="Name"),
        col("operatingSystem", ops="prefix", read_only=True, desc="Operating system"),
        col("operatingSystemVersion", ops="prefix", read_only=True, desc="Version"),
        col("trustType", ops="eq", read_only=True, desc="Workplace, AzureAd or ServerAd"),
        col("accountEnabled", "BOOLEAN", ops="eq", read_only=True, desc="Enabled"),
        col("isCompliant", "BOOLEAN", ops="eq", read_only=True, desc="Compliant (Intune)"),
        col("isManaged", "BOOLEAN", ops="eq", read_only=True, desc="Managed (MDM)"),
        _ge_le(
            col(
                "approximateLastSignInDateTime", "DATETIME", read_only=True, desc="Last sign-in (approximate)"
            )
        ),
        col("registrationDateTime", "DATETIME", read_only=True, desc="Registered"),
        col("manufacturer", read_only=True, desc="Manufacturer"),
        col("model", read_only=True, desc="Model"),
    ),
)

# directoryrole-list.md: no query parameters but $select.
_ROLES = (("RoleManagement.Read.Directory",), ("RoleManagement.Read.Directory",))
DIRECTORY_ROLES = TableSpec(
    name="DirectoryRoles",
    permissions=_ROLES,
    typical_rows=20,
    description="Activated directory roles (GET /directoryRoles).",
    collection="/directoryRoles",
    max_page=None,
    columns=(
        col("id", read_only=True, not_null=True, desc="Object id (the key)"),
        col("displayName", read_only=True, desc="Name"),
        col("description", read_only=True, desc="What the role may do"),
        col("roleTemplateId", read_only=True, desc="Template id (the same in every tenant)"),
    ),
)

DIRECTORY_ROLE_MEMBERS = TableSpec(
    name="DirectoryRoleMembers",
    permissions=_ROLES,
    typical_rows=5,
    parent_table="DirectoryRoles",
    description="Members of directory roles (GET /directoryRoles/{id}/members). Give RoleId, or the table "
    "lists every role first.",
    collection="/directoryRoles/{RoleId}/members",
    key=("RoleId", "id"),
    parent_key="RoleId",
    fanout_collection="/directoryRoles",
    max_page=999,
    columns=_member_columns("RoleId", "The role"),
)
