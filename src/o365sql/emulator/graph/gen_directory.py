"""More of the demo directory: licences (subscribedSkus and each user's), managers, organisational contacts,
devices and directory roles. A pure function of (seed, users, day), built with the directory.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from ..directory import stable_guid
from .model import DemoBasis
from .util import fmt_s

__all__ = ["DirectoryExtra", "build_directory_extra"]

Item = dict[str, Any]

# (skuPartNumber, skuId, units, [(servicePlanName, servicePlanId, service)])
_SKUS = (
    (
        "ENTERPRISEPACK",
        "6fd2c87f-b296-42f0-b197-1e91e994b900",
        25,
        [
            ("EXCHANGE_S_ENTERPRISE", "efb87545-963c-4e0d-99df-69c6916d9eb0", "exchange"),
            ("SHAREPOINTENTERPRISE", "5dbe027f-2339-4123-9542-606e4d348a72", "SharePoint"),
            ("TEAMS1", "57ff2da0-773e-42df-b2af-ffb7a2317929", "TeamspaceAPI"),
        ],
    ),
    (
        "EMS",
        "efccb6f7-5641-4e0e-bd10-b4976e1bf68e",
        10,
        [("INTUNE_A", "c1ec4a95-1f05-45b3-a911-aa3fa01094f5", "SCO")],
    ),
    (
        "POWER_BI_STANDARD",
        "a403ebcc-fae0-4ca2-8c8c-7a907fd6c235",
        1000,
        [("BI_AZURE_P0", "2049e525-b859-401b-b2a0-e0a31c4b1fe4", "PowerBI")],
    ),
)
_ROLES = (
    ("Global Administrator", "62e90394-69f5-4237-9190-012177145e10", "Can manage all aspects of the tenant."),
    ("User Administrator", "fe930be7-5e62-47db-91af-98c3a49a38b1", "Can manage users and groups."),
    ("Helpdesk Administrator", "729827e3-9c14-49f7-bb1b-9608f156bbb8", "Can reset passwords for non-admins."),
)
_DEVICES = (("Windows", "10.0.22631.3007"), ("iOS", "17.2.1"), ("MacMDM", "14.2.1"), ("Android", "14.0"))


@dataclass
class DirectoryExtra:
    """Directory objects beyond users and groups, and the links between users."""

    skus: list[Item] = field(default_factory=list)
    managers: dict[str, str] = field(default_factory=dict)  # user id -> manager's id
    contacts: list[Item] = field(default_factory=list)
    devices: list[Item] = field(default_factory=list)
    roles: list[Item] = field(default_factory=list)
    role_members: dict[str, list[str]] = field(default_factory=dict)  # role id -> user ids


def _license_fields(basis: DemoBasis, user: Item, index: int) -> None:
    """assignedLicenses/assignedPlans: everyone has E3; every third user EMS; every other Power BI."""
    skus = [_SKUS[0]] + ([_SKUS[1]] if index % 3 == 0 else []) + ([_SKUS[2]] if index % 2 == 0 else [])
    assigned = fmt_s(basis.anchor - dt.timedelta(days=100 + index))
    user["assignedLicenses"] = [{"disabledPlans": [], "skuId": sku_id} for _n, sku_id, _u, _p in skus]
    user["assignedPlans"] = [
        {
            "assignedDateTime": assigned,
            "capabilityStatus": "Enabled",
            "service": service,
            "servicePlanId": plan,
        }
        for _n, _s, _u, plans in skus
        for _name, plan, service in plans
    ]
    user["employeeHireDate"] = fmt_s(basis.anchor - dt.timedelta(days=400 + 37 * index))
    user["onPremisesSamAccountName"] = None
    user["onPremisesImmutableId"] = None
    user["onPremisesLastSyncDateTime"] = None


def _sign_in_activity(basis: DemoBasis, user: Item, index: int) -> None:
    """signInActivity (user-list.md: read with AuditLog.Read.All on a P1/P2 tenant): every fifth user has
    never signed in interactively; the others did within the last days."""
    hours = 3 + 29 * index % 170
    last = None if index % 5 == 4 else fmt_s(basis.anchor - dt.timedelta(hours=hours))
    quiet = fmt_s(basis.anchor - dt.timedelta(hours=1 + index % 7))
    user["signInActivity"] = {
        "lastSignInDateTime": last,
        "lastSignInRequestId": stable_guid("signin", basis.seed, index) if last else None,
        "lastNonInteractiveSignInDateTime": quiet,
        "lastNonInteractiveSignInRequestId": stable_guid("signin-ni", basis.seed, index),
        "lastSuccessfulSignInDateTime": max(last or quiet, quiet),
        "lastSuccessfulSignInRequestId": stable_guid("signin-ok", basis.seed, index),
    }


def build_directory_extra(basis: DemoBasis) -> DirectoryExtra:
    """Licences on every user (written into the user objects), managers by department, and the rest."""
    extra = DirectoryExtra()
    users = basis.users
    tenant = basis.directory.tenant
    rng = random.Random(f"{basis.seed}/directory-extra")
    for index, user in enumerate(users):
        _license_fields(basis, user, index)
        _sign_in_activity(basis, user, index)
    for name, sku_id, units, plans in _SKUS:
        consumed = sum(any(a["skuId"] == sku_id for a in u["assignedLicenses"]) for u in users)
        extra.skus.append(
            {
                "accountName": tenant.display_name,
                "accountId": tenant.id,
                "appliesTo": "User",
                "capabilityStatus": "Enabled",
                "consumedUnits": consumed,
                "id": f"{tenant.id}_{sku_id}",
                "prepaidUnits": {
                    "enabled": max(units, consumed),
                    "suspended": 0,
                    "warning": 0,
                    "lockedOut": 0,
                },
                "servicePlans": [
                    {
                        "servicePlanId": plan,
                        "servicePlanName": plan_name,
                        "provisioningStatus": "Success",
                        "appliesTo": "User",
                    }
                    for plan_name, plan, _service in plans
                ],
                "skuId": sku_id,
                "skuPartNumber": name,
                "subscriptionIds": [stable_guid("subscription", basis.seed, name)],
            }
        )
    # the first user of each department manages the others; department heads report to the first user
    heads: dict[str, str] = {}
    for user in users:
        heads.setdefault(user.get("department") or "", user["id"])
    top = users[0]["id"] if users else ""
    for user in users:
        head = heads[user.get("department") or ""]
        boss = head if head != user["id"] else top
        if boss != user["id"]:
            extra.managers[user["id"]] = boss
    if basis.empty:
        return extra
    domain = "fabrikam.com"
    for n, (given, surname, title) in enumerate(
        (("Ilse", "Marchetti", "Account Manager"), ("Omar", "Haddad", "Buyer"), ("Greta", "Lind", "Auditor"))
    ):
        mail = f"{given.lower()}.{surname.lower()}@{domain}"
        extra.contacts.append(
            {
                "id": stable_guid("orgcontact", basis.seed, n),
                "companyName": "Fabrikam" if n < 2 else "Northwind Audit",
                "department": None,
                "displayName": f"{given} {surname}",
                "givenName": given,
                "jobTitle": title,
                "mail": mail,
                "mailNickname": f"{given}{surname}",
                "surname": surname,
                "addresses": [],
                "phones": [{"type": "business", "number": f"+1 425 555 01{n:02d}"}],
                "proxyAddresses": [f"SMTP:{mail}"],
                "onPremisesSyncEnabled": None,
                "onPremisesLastSyncDateTime": None,
            }
        )
    for n, user in enumerate(users[: min(len(users), 8)]):
        os_name, version = _DEVICES[n % len(_DEVICES)]
        registered = basis.anchor - dt.timedelta(days=rng.randrange(30, 700))
        extra.devices.append(
            {
                "id": stable_guid("device", basis.seed, n),
                "deletedDateTime": None,
                "accountEnabled": n != 5,
                "approximateLastSignInDateTime": fmt_s(
                    basis.anchor - dt.timedelta(hours=rng.randrange(1, 400))
                ),
                "deviceId": stable_guid("deviceid", basis.seed, n),
                "displayName": f"{user['mailNickname'].upper()[:8]}-{os_name[:3].upper()}{n}",
                "isCompliant": n % 4 != 3,
                "isManaged": True,
                "operatingSystem": os_name,
                "operatingSystemVersion": version,
                "registrationDateTime": fmt_s(registered),
                "trustType": "AzureAd" if os_name == "Windows" else "Workplace",
                "manufacturer": None,
                "model": None,
            }
        )
    for n, (name, template, description) in enumerate(_ROLES):
        rid = stable_guid("directoryrole", basis.seed, n)
        extra.roles.append(
            {
                "id": rid,
                "deletedDateTime": None,
                "description": description,
                "displayName": name,
                "roleTemplateId": template,
            }
        )
        extra.role_members[rid] = [u["id"] for u in users[n : n + 1 + n]]
    return extra
