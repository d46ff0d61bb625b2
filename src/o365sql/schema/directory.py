"""Directory tables: Users, Groups, GroupMembers (Microsoft Entra ID objects)."""

from __future__ import annotations

from ._types import SEARCH_COLUMN, TableSpec, col

__all__ = ["GROUPS", "GROUP_MEMBERS", "USERS"]

# What Graph filters on, per aad-advanced-queries.md's property tables: eq and startswith on the indexed
# strings, eq on booleans. `advanced` marks the operators Graph serves only as advanced queries: a scan that
# sends one adds ConsistencyLevel: eventual and $count=true. Directory string comparisons ignore case, so
# SQLite re-checks them.
USERS = TableSpec(
    name="Users",
    permissions=(("User.ReadBasic.All", "User.Read.All"), ("User.Read.All",)),
    typical_rows=1000,
    description="Users of the tenant (GET /users).",
    collection="/users",
    item="/users/{id}",
    max_page=999,
    orderby_rule="directory",
    writes=frozenset({"INSERT", "UPDATE", "DELETE"}),
    insert_required=(
        "accountEnabled",
        "displayName",
        "mailNickname",
        "userPrincipalName",
        "passwordProfile_password",
    ),
    write_permissions=(("User.ReadWrite.All",), ("User.ReadWrite.All",)),
    columns=(
        col("id", read_only=True, not_null=True, desc="Object id (the key)"),
        col("displayName", ops="prefix", orderable=True, desc="Display name"),
        col("givenName", ops="prefix", desc="First name"),
        col("surname", ops="prefix", desc="Last name"),
        col("userPrincipalName", ops="prefix", orderable=True, desc="Sign-in name"),
        col("mail", ops="prefix", desc="Primary SMTP address"),
        col("mailNickname", ops="prefix", desc="Mail alias"),
        col("jobTitle", ops="prefix", desc="Job title"),
        col("department", ops="prefix", desc="Department"),
        col("companyName", ops="prefix", advanced="prefix", desc="Company"),
        col("officeLocation", ops="prefix", advanced="prefix", desc="Office"),
        col("city", ops="prefix", desc="City"),
        col("country", ops="prefix", desc="Country"),
        col("usageLocation", ops="prefix", desc="Two-letter usage location"),
        col("preferredLanguage", ops="prefix", advanced="prefix", desc="Preferred language"),
        col("mobilePhone", ops="prefix", advanced="prefix", desc="Mobile phone"),
        col("businessPhones", "JSON", desc="Business phones (JSON array)"),
        col("accountEnabled", "BOOLEAN", ops="eq", desc="Account enabled"),
        col("userType", ops="eq", desc="Member or Guest"),
        col("employeeId", ops="eq", desc="Employee id"),
        col("createdDateTime", "DATETIME", read_only=True, desc="Created"),
        col("proxyAddresses", "JSON", read_only=True, desc="Proxy addresses (JSON)"),
        col(
            "passwordProfile_password",
            hidden=True,
            desc="Write-only: the password INSERT sets (required there) or UPDATE resets; reads as NULL",
        ),
        col(
            "passwordProfile_forceChangePasswordNextSignIn",
            "BOOLEAN",
            hidden=True,
            desc="Write-only: the user must change the password at the next sign-in (default true)",
        ),
        col(
            "assignedLicenses",
            "JSON",
            read_only=True,
            desc="Licences: skuId and disabledPlans (JSON; see Licenses)",
        ),
        col("assignedPlans", "JSON", read_only=True, desc="Service plans assigned (JSON)"),
        col("employeeType", read_only=True, desc="Employee, Contractor, ..."),
        col("employeeHireDate", "DATETIME", read_only=True, desc="Hire date"),
        col("state", read_only=True, desc="State or province"),
        col("postalCode", read_only=True, desc="Postal code"),
        col("streetAddress", read_only=True, desc="Street address"),
        col("otherMails", "JSON", read_only=True, desc="Other addresses (JSON)"),
        col("onPremisesSyncEnabled", "BOOLEAN", read_only=True, desc="Synced from on-premises AD"),
        col("onPremisesSamAccountName", read_only=True, desc="On-premises sAMAccountName"),
        col("onPremisesImmutableId", read_only=True, desc="On-premises immutable id"),
        col("onPremisesLastSyncDateTime", "DATETIME", read_only=True, desc="Last on-premises sync"),
        # user-list-manager.md: `GET /users?$expand=manager` lists each user's manager (one level; $levels
        # only on a single user); $select inside the $expand keeps it to the id. Hidden: Graph serves no
        # $expand in an advanced query, so SELECT * would otherwise lose the advanced-query pushdown.
        col(
            "manager_id",
            path="manager/id",
            expand="manager($select=id)",
            hidden=True,
            read_only=True,
            desc="The manager's object id, a key of Users (JOIN Users m ON u.manager_id = m.id)",
        ),
        # user-list.md: signInActivity needs AuditLog.Read.All and a Microsoft Entra ID P1/P2 licence, and a
        # request naming it is refused whole without them: hidden, so only a query naming a column asks.
        *(
            col(
                f"signInActivity_{name}",
                "DATETIME",
                hidden=True,
                read_only=True,
                permissions=(("AuditLog.Read.All",), ("AuditLog.Read.All",)),
                desc=f"{what} (needs AuditLog.Read.All and an Entra ID P1/P2 licence; name the column)",
            )
            for name, what in (
                ("lastSignInDateTime", "Last interactive sign-in"),
                ("lastNonInteractiveSignInDateTime", "Last non-interactive sign-in"),
                ("lastSuccessfulSignInDateTime", "Last successful sign-in"),
            )
        ),
        col(
            SEARCH_COLUMN,
            kind="param",
            read_only=True,
            hidden=True,
            desc="Directory $search: WHERE SEARCH = 'displayName:ada' (a bare word searches displayName)",
        ),
    ),
)

GROUPS = TableSpec(
    name="Groups",
    permissions=(("Group.Read.All",), ("Group.Read.All",)),
    typical_rows=500,
    description="Groups of the tenant: Microsoft 365 and security groups (GET /groups).",
    collection="/groups",
    item="/groups/{id}",
    max_page=999,
    orderby_rule="directory",
    writes=frozenset({"INSERT", "UPDATE", "DELETE"}),
    insert_required=("displayName", "mailEnabled", "mailNickname", "securityEnabled"),
    insert_only=("groupTypes",),
    write_permissions=(("Group.ReadWrite.All",), ("Group.ReadWrite.All",)),
    columns=(
        col("id", read_only=True, not_null=True, desc="Object id (the key)"),
        col("displayName", ops="prefix", orderable=True, desc="Display name"),
        col("description", ops="prefix", advanced="prefix", desc="Description"),
        col("mail", ops="prefix", read_only=True, desc="Group address"),
        col("mailNickname", ops="prefix", desc="Mail alias"),
        col("mailEnabled", "BOOLEAN", ops="eq", desc="Mail-enabled"),
        col("securityEnabled", "BOOLEAN", ops="eq", desc="Security group"),
        col("groupTypes", "JSON", desc='Group types (JSON array, e.g. ["Unified"])'),
        col("visibility", desc="Public, Private or HiddenMembership"),
        col("classification", ops="prefix", desc="Classification"),
        col("createdDateTime", "DATETIME", read_only=True, desc="Created"),
        col("renewedDateTime", "DATETIME", read_only=True, desc="Last renewed"),
        col("expirationDateTime", "DATETIME", read_only=True, desc="Expires"),
        col("proxyAddresses", "JSON", read_only=True, desc="Proxy addresses (JSON)"),
        col("isAssignableToRole", "BOOLEAN", read_only=True, desc="May be assigned a directory role"),
        col("membershipRule", read_only=True, desc="Dynamic membership rule"),
        col("membershipRuleProcessingState", read_only=True, desc="On or Paused"),
        col("resourceProvisioningOptions", "JSON", read_only=True, desc='["Team"] for groups that are teams'),
        col("resourceBehaviorOptions", "JSON", read_only=True, desc="Behaviours set at creation (JSON)"),
        col("creationOptions", "JSON", read_only=True, desc="Creation options (JSON)"),
        col("preferredLanguage", read_only=True, desc="Preferred language"),
        col("theme", read_only=True, desc="Colour theme"),
        col("securityIdentifier", read_only=True, desc="Security identifier (SID)"),
        col("onPremisesSyncEnabled", "BOOLEAN", read_only=True, desc="Synced from on-premises AD"),
        col(
            SEARCH_COLUMN,
            kind="param",
            read_only=True,
            hidden=True,
            desc="Directory $search: WHERE SEARCH = 'displayName:sales' (a bare word searches displayName)",
        ),
    ),
)

GROUP_MEMBERS = TableSpec(
    name="GroupMembers",
    permissions=(("GroupMember.Read.All", "Group.Read.All"), ("GroupMember.Read.All", "Group.Read.All")),
    typical_rows=50,
    parent_table="Groups",
    description="Direct members of groups. Give GroupId, or the table lists every group first.",
    collection="/groups/{GroupId}/members",
    key=("GroupId", "id"),
    parent_key="GroupId",
    fanout_collection="/groups",
    max_page=999,
    writes=frozenset({"INSERT", "DELETE"}),
    insert_required=("GroupId", "id"),
    insert_only=("GroupId", "id"),
    write_permissions=(("GroupMember.ReadWrite.All",), ("GroupMember.ReadWrite.All",)),
    columns=(
        col("GroupId", kind="param", not_null=True, desc="The group"),
        col("id", not_null=True, desc="Member object id (INSERT adds that user or group to GroupId)"),
        col("memberType", kind="odata_type", read_only=True, desc="user, group, device, ..."),
        col("displayName", read_only=True, desc="Display name"),
        col("mail", read_only=True, desc="Mail"),
        col("userPrincipalName", read_only=True, desc="Sign-in name (users)"),
        col("jobTitle", read_only=True, desc="Job title (users)"),
    ),
)
