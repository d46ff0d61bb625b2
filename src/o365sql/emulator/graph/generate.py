"""The demo tenant: a pure function of (seed, scale, day); directory eagerly, mailboxes and drives per user.

Timestamps are relative to the start of today (UTC), so "unread mail this week" and "next week's meetings"
mean something whenever the demo runs, and the data is the same all day.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from typing import Any

from ..directory import stable_guid
from .gen_drive import build_drive, drive_id_for
from .gen_mail import THINGS, build_messages
from .gen_pim import CITIES, build_calendars, build_contact_folders, build_contacts, build_events
from .model import DemoBasis, Mailbox
from .util import K_FOLDER, fmt_s, outlook_id

__all__ = [
    "build_drive",
    "build_groups",
    "build_mailbox",
    "drive_id_for",
    "graph_users",
]

Item = dict[str, Any]


# -- directory -----------------------------------------------------------------------------------------------
def graph_users(basis: DemoBasis) -> list[Item]:
    """Full Graph user objects for the directory's users."""
    out: list[Item] = []
    directory = basis.directory
    for i, user in enumerate(directory.users):
        rng = random.Random(f"{basis.seed}/user/{i}")
        city, region, country, usage, postal, street = CITIES[i % len(CITIES)]
        created = basis.anchor - dt.timedelta(days=rng.randrange(200, 1500), seconds=rng.randrange(86400))
        mail = user.mail
        alias = user.user_principal_name.split("@")[0]
        out.append(
            {
                "id": user.id,
                "businessPhones": list(user.business_phones),
                "displayName": user.display_name,
                "givenName": user.given_name,
                "jobTitle": user.job_title,
                "mail": mail,
                "mobilePhone": user.mobile_phone,
                "officeLocation": user.office_location,
                "preferredLanguage": user.preferred_language,
                "surname": user.surname,
                "userPrincipalName": user.user_principal_name,
                "accountEnabled": user.account_enabled,
                "ageGroup": None,
                "city": city,
                "companyName": directory.tenant.display_name,
                "country": country,
                "createdDateTime": fmt_s(created),
                "creationType": None,
                "department": user.department,
                "employeeId": f"{10000 + i}",
                "employeeType": "Employee",
                "faxNumber": None,
                "imAddresses": [mail] if mail else [],
                "isResourceAccount": None,
                "lastPasswordChangeDateTime": fmt_s(basis.anchor - dt.timedelta(days=rng.randrange(1, 180))),
                "mailNickname": alias,
                "onPremisesSyncEnabled": None,
                "otherMails": [],
                "postalCode": postal,
                "proxyAddresses": [f"SMTP:{mail}"] if mail else [],
                "showInAddressList": None,
                "state": region,
                "streetAddress": street,
                "usageLocation": usage,
                "userType": "Member",
                # Returned only for a single user ($select on a list gives 501).
                "aboutMe": None,
                "birthday": "0001-01-01T08:00:00Z",
                "hireDate": "0001-01-01T08:00:00Z",
                "interests": [],
                "mySite": None,
                "pastProjects": [],
                "preferredName": "",
                "responsibilities": [],
                "schools": [],
                "skills": [],
            }
        )
    return out


def build_groups(basis: DemoBasis) -> tuple[list[Item], dict[str, list[str]], dict[str, list[str]]]:
    """Microsoft 365 groups, security groups and a distribution list: (groups, members, owners)."""
    groups: list[Item] = []
    members_of: dict[str, list[str]] = {}
    owners_of: dict[str, list[str]] = {}
    users = basis.users
    domain = basis.directory.tenant.domain
    rng = random.Random(f"{basis.seed}/groups")
    ids = [u["id"] for u in users]
    demo = basis.directory.demo_user.id

    def by_dept(*depts: str) -> list[str]:
        return [u["id"] for u in users if u.get("department") in depts]

    specs: list[tuple[str, str, str, list[str], str | None, str]] = [
        ("All Company", "allcompany", "unified", ids, "Public", "Everyone at Contoso Demo."),
        (
            "Sales and Marketing",
            "salesmarketing",
            "unified",
            by_dept("Sales", "Marketing"),
            "Public",
            "Pipeline reviews, campaigns and customer news.",
        ),
        (
            "Engineering",
            "engineering",
            "unified",
            by_dept("Engineering", "Product", "Design", "Support"),
            "Private",
            "Engineering, product and design.",
        ),
        (
            "Finance Approvers",
            "financeapprovers",
            "security",
            [*by_dept("Finance", "Executive"), demo],
            None,
            "May approve invoices above the team limit.",
        ),
        (
            "Project Falcon",
            "projectfalcon",
            "unified",
            sorted({demo, *rng.sample(ids, min(4, len(ids)))}),
            "Private",
            "The Falcon migration project.",
        ),
        (
            "VPN Users",
            "vpnusers",
            "security",
            rng.sample(ids, max(1, len(ids) // 2)),
            None,
            "Members may use the corporate VPN.",
        ),
        (
            "Building 1 Staff",
            "building1",
            "distribution",
            [u["id"] for u in users if str(u.get("officeLocation") or "").startswith("Building 1")] or [demo],
            None,
            "Everyone with a desk in Building 1.",
        ),
    ]
    for k in range(max(0, basis.scale - 1)):
        name = f"Project {rng.choice(THINGS).title()} {k + 2}"
        members = rng.sample(ids, min(len(ids), rng.randrange(2, 8)))
        specs.append(
            (
                name,
                f"project{k + 2}",
                "unified",
                members,
                rng.choice(("Public", "Private")),
                f"Working group {k + 2}.",
            )
        )
    for n, (name, nick, kind, members, visibility, description) in enumerate(specs):
        gid = stable_guid("group", basis.seed, n)
        created = basis.anchor - dt.timedelta(days=30 + rng.randrange(900), seconds=rng.randrange(86400))
        unified = kind == "unified"
        mail_enabled = kind != "security"
        mail = f"{nick}@{domain}" if mail_enabled else None
        groups.append(
            {
                "id": gid,
                "deletedDateTime": None,
                "classification": None,
                "createdDateTime": fmt_s(created),
                "creationOptions": ["YammerProvisioning"] if unified and n == 0 else [],
                "description": description,
                "displayName": name,
                "expirationDateTime": None,
                "groupTypes": ["Unified"] if unified else [],
                "isAssignableToRole": None,
                "mail": mail,
                "mailEnabled": mail_enabled,
                "mailNickname": nick,
                "membershipRule": None,
                "membershipRuleProcessingState": None,
                "onPremisesDomainName": None,
                "onPremisesLastSyncDateTime": None,
                "onPremisesNetBiosName": None,
                "onPremisesSamAccountName": None,
                "onPremisesSecurityIdentifier": None,
                "onPremisesSyncEnabled": None,
                "preferredDataLocation": None,
                "preferredLanguage": None,
                "proxyAddresses": [f"SMTP:{mail}"] if mail else [],
                "renewedDateTime": fmt_s(created),
                "resourceBehaviorOptions": [],
                "resourceProvisioningOptions": ["Team"] if unified and n in (1, 2) else [],
                "securityEnabled": kind != "distribution",
                "securityIdentifier": "S-1-12-1-" + "-".join(str(int(x, 16)) for x in gid.split("-")[:4]),
                "theme": None,
                "visibility": visibility,
                "onPremisesProvisioningErrors": [],
            }
        )
        unique = list(dict.fromkeys(members))
        members_of[gid] = unique
        owners_of[gid] = unique[:1] if kind != "distribution" else []
        if unified and demo not in owners_of[gid] and n in (0, 4):
            owners_of[gid].append(demo)
    return groups, members_of, owners_of


# -- mailboxes -----------------------------------------------------------------------------------------------
_WELL_KNOWN = (
    # (well-known name, displayName, hidden)
    ("archive", "Archive", False),
    ("conversationhistory", "Conversation History", False),
    ("deleteditems", "Deleted Items", False),
    ("drafts", "Drafts", False),
    ("inbox", "Inbox", False),
    ("junkemail", "Junk Email", False),
    ("outbox", "Outbox", False),
    ("sentitems", "Sent Items", False),
    ("scheduled", "Scheduled", False),
    ("clutter", "Clutter", True),
    ("recoverableitemsdeletions", "Deletions", True),
)


def _folder(box_key: bytes, n: int, name: str, parent: str, hidden: bool = False) -> Item:
    fid = outlook_id(box_key, K_FOLDER, n)
    return {
        "id": fid,
        "displayName": name,
        "parentFolderId": parent,
        "childFolderCount": 0,
        "unreadItemCount": 0,
        "totalItemCount": 0,
        "sizeInBytes": 0,
        "isHidden": hidden,
    }


def build_mailbox(basis: DemoBasis, user: Item) -> Mailbox:
    """A user's mailbox: folders, messages (demo user: ~200 x scale), calendars, events and contacts."""
    index = basis.index_of(user["id"])
    key = hashlib.sha256(f"{basis.seed}/mailbox/{user['id']}".encode()).digest()[:16]
    box = Mailbox(user_id=user["id"], key=key)
    root = _folder(key, 0, "Top of Information Store", outlook_id(key, K_FOLDER, 99_999))
    box.wellknown["msgfolderroot"] = root["id"]
    box.folders[root["id"]] = root
    for n, (wk, name, hidden) in enumerate(_WELL_KNOWN, 1):
        folder = _folder(key, n, name, root["id"], hidden)
        box.folders[folder["id"]] = folder
        box.wellknown[wk] = folder["id"]
    customs: list[tuple[str, str]] = [
        ("Projects", "msgfolderroot"),
        ("Receipts", "msgfolderroot"),
        ("Newsletters", "inbox"),
        ("Team", "inbox"),
    ]
    n = len(_WELL_KNOWN) + 1
    custom_ids: dict[str, str] = {}
    for name, parent in customs:
        folder = _folder(key, n, name, box.wellknown[parent])
        box.folders[folder["id"]] = folder
        custom_ids[name] = folder["id"]
        n += 1
    for name in ("Falcon", "Orion"):
        folder = _folder(key, n, name, custom_ids["Projects"])
        box.folders[folder["id"]] = folder
        custom_ids[name] = folder["id"]
        n += 1
    for folder in box.folders.values():
        above = box.folders.get(folder["parentFolderId"])
        if above is not None:
            above["childFolderCount"] += 1
    build_calendars(basis, box, user)
    build_contact_folders(basis, box)
    if not basis.empty:
        is_demo = user["id"] == basis.directory.demo_user.id
        messages = 200 * basis.scale if is_demo else 30 * basis.scale
        build_messages(basis, box, user, index, custom_ids, messages)
        build_events(basis, box, user, 40 * basis.scale if is_demo else 12 * basis.scale)
        build_contacts(basis, box, 30 * basis.scale if is_demo else 8 * basis.scale)
    return box
