"""The identity side's directory: tenants, registered apps and users with passwords.

The Graph half builds mailboxes, drives and groups on top of these users (see `demo_tenant`); both halves
read the same `Directory`, so a signed-in user is the owner of `/me`.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from dataclasses import dataclass, field

__all__ = [
    "APP_PERMISSIONS",
    "DEFAULT_PUBLIC_CLIENT_ID",
    "DELEGATED_PERMISSIONS",
    "MSA_TENANT_ID",
    "App",
    "Directory",
    "Tenant",
    "User",
    "build_directory",
    "stable_guid",
]

# Microsoft's "Microsoft Graph Command Line Tools" public client: the driver's embedded default app
# (design.md section 4). The emulator registers it so that connecting without OAuthClientId works here too.
DEFAULT_PUBLIC_CLIENT_ID = "14d82eec-204b-4c2f-b7e8-296a70dab67e"
MSA_TENANT_ID = "9188040d-6c67-4c5b-b112-36a304b66dad"
GRAPH_RESOURCE = "https://graph.microsoft.com"
GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"

# Delegated Graph permissions the emulator knows (case as Microsoft spells them).
DELEGATED_PERMISSIONS = (
    "User.Read",
    "User.ReadBasic.All",
    "User.Read.All",
    "User.ReadWrite.All",
    "Directory.Read.All",
    "Directory.AccessAsUser.All",
    "Group.Read.All",
    "Group.ReadWrite.All",
    "GroupMember.Read.All",
    "Group-Conversation.Read.All",
    "Mail.Read",
    "Mail.ReadBasic",
    "Mail.ReadWrite",
    "Mail.Read.Shared",
    "Mail.ReadWrite.Shared",
    "Mail.Send",
    "Mail.Send.Shared",
    "MailboxSettings.Read",
    "LicenseAssignment.Read.All",
    "OrgContact.Read.All",
    "Device.Read.All",
    "RoleManagement.Read.Directory",
    "Team.ReadBasic.All",
    "Channel.ReadBasic.All",
    "ChannelMessage.Read.All",
    "TeamMember.Read.All",
    "AuditLog.Read.All",
    "Place.Read.All",
    "Calendars.Read",
    "Calendars.ReadWrite",
    "Calendars.Read.Shared",
    "Calendars.ReadWrite.Shared",
    "Contacts.Read",
    "Contacts.ReadWrite",
    "Files.Read",
    "Files.ReadWrite",
    "Files.Read.All",
    "Files.ReadWrite.All",
    "Sites.Read.All",
    "Tasks.Read",
    "Tasks.ReadWrite",
    "offline_access",
    "openid",
    "profile",
    "email",
)

# Application permissions (roles) the emulator knows.
APP_PERMISSIONS = (
    "User.Read.All",
    "User.ReadWrite.All",
    "Directory.Read.All",
    "Group.Read.All",
    "Group.ReadWrite.All",
    "GroupMember.Read.All",
    "Group-Conversation.Read.All",
    "Mail.Read",
    "Mail.ReadWrite",
    "Mail.Send",
    "Calendars.Read",
    "Calendars.ReadWrite",
    "Contacts.Read",
    "Contacts.ReadWrite",
    "Files.Read.All",
    "Files.ReadWrite.All",
    "Sites.Read.All",
    "Tasks.Read.All",
    "Tasks.ReadWrite.All",
    "MailboxSettings.Read",
    "LicenseAssignment.Read.All",
    "OrgContact.Read.All",
    "Device.Read.All",
    "RoleManagement.Read.Directory",
    "Team.ReadBasic.All",
    "Channel.ReadBasic.All",
    "ChannelMessage.Read.All",
    "TeamMember.Read.All",
    "AuditLog.Read.All",
    "Place.Read.All",
)


def stable_guid(*parts: object) -> str:
    """A GUID that depends only on its inputs, so the demo tenant is the same on every run."""
    digest = hashlib.sha256("/".join(str(p) for p in parts).encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


@dataclass
class Tenant:
    """An Entra ID tenant: its GUID and its verified domains."""

    id: str
    domain: str  # the initial domain, e.g. contoso.onmicrosoft.com
    display_name: str
    domains: tuple[str, ...] = ()


@dataclass
class App:
    """A registered application (client)."""

    client_id: str
    display_name: str
    tenant_id: str  # home tenant
    public: bool  # public client: no secret, loopback redirects
    redirect_uris: list[str] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)
    certificate_pem: str | None = None  # public certificate for client assertions
    certificate_thumbprint: str | None = None  # hex SHA-1, as msal sends it in x5t
    roles: frozenset[str] = frozenset()  # application permissions with admin consent
    multi_tenant: bool = True
    # Delegated permissions pre-consented by an admin for every user (scopes outside need user consent).
    admin_consented: frozenset[str] = frozenset()


@dataclass
class User:
    """A user who can sign in; the Graph half keeps the full profile in its store."""

    id: str  # object id (oid)
    user_principal_name: str
    display_name: str
    given_name: str
    surname: str
    password: str
    job_title: str | None = None
    department: str | None = None
    office_location: str | None = None
    mobile_phone: str | None = None
    business_phones: list[str] = field(default_factory=list)
    preferred_language: str | None = "en-US"
    mail: str | None = None
    account_enabled: bool = True
    is_admin: bool = False


@dataclass
class Directory:
    """Every tenant, app and user the emulator knows."""

    tenant: Tenant  # the demo tenant
    apps: dict[str, App]
    users: list[User]
    public_client_id: str
    confidential_client_id: str
    confidential_client_secret: str
    cert_client_id: str
    demo_user: User
    # consent[(user_id, client_id)] = delegated scopes the user (or an admin) has granted
    consent: dict[tuple[str, str], set[str]] = field(default_factory=dict)

    def resolve_tenant(self, name: str) -> str | None:
        """Map a path tenant (GUID, domain, common, organizations, consumers) to a tenant id, or None."""
        low = name.lower()
        if low in ("common", "organizations", "consumers"):
            return low
        if low == self.tenant.id or low == self.tenant.domain.lower() or low in self.tenant.domains:
            return self.tenant.id
        return None

    def user_by_login(self, login: str) -> User | None:
        """Find a user by UPN or mail, case-insensitively."""
        low = login.strip().lower()
        for user in self.users:
            if user.user_principal_name.lower() == low or (user.mail or "").lower() == low:
                return user
        return None

    def user_by_id(self, oid: str) -> User | None:
        """Find a user by object id."""
        for user in self.users:
            if user.id == oid:
                return user
        return None


_FIRST = (
    "Amara",
    "Bruno",
    "Chiara",
    "Dmitri",
    "Elif",
    "Farid",
    "Greta",
    "Hiro",
    "Ines",
    "Jonas",
    "Kalani",
    "Lucia",
    "Mateo",
    "Nadia",
    "Oskar",
    "Priya",
    "Quentin",
    "Rosa",
    "Sanjay",
    "Tamsin",
)
_LAST = (
    "Okafor",
    "Lindqvist",
    "Moreau",
    "Petrov",
    "Yilmaz",
    "Haddad",
    "Berg",
    "Tanaka",
    "Duarte",
    "Weber",
    "Kahale",
    "Ferreira",
    "Silva",
    "Rahman",
    "Nygaard",
    "Raman",
    "Lefevre",
    "Alvarez",
    "Mehta",
    "Quill",
)
_TITLES = (
    "Chief Executive Officer",
    "Finance Manager",
    "Sales Lead",
    "Software Engineer",
    "Marketing Specialist",
    "HR Partner",
    "Product Manager",
    "Support Engineer",
    "Designer",
    "Legal Counsel",
    "Data Analyst",
    "Operations Manager",
)
_DEPARTMENTS = (
    "Executive",
    "Finance",
    "Sales",
    "Engineering",
    "Marketing",
    "HR",
    "Product",
    "Support",
    "Design",
    "Legal",
    "Analytics",
    "Operations",
)
_OFFICES = ("Building 1/101", "Building 1/214", "Building 2/030", "Building 3/118", "Remote")


def build_directory(seed: int, scale: int = 1) -> Directory:
    """The demo tenant's directory: ~10 users (more with scale), three apps and the default public client."""
    rng = random.Random(seed)
    tenant_id = stable_guid("tenant", seed)
    domain = "contoso-demo.onmicrosoft.com"
    tenant = Tenant(id=tenant_id, domain=domain, display_name="Contoso Demo", domains=(domain.lower(),))
    n_users = 10 + max(0, scale - 1) * 2
    users: list[User] = []
    used: set[str] = set()
    for i in range(n_users):
        while True:
            first, last = rng.choice(_FIRST), rng.choice(_LAST)
            alias = f"{first}.{last}".lower()
            if alias not in used:
                used.add(alias)
                break
        dept_i = i % len(_DEPARTMENTS)
        upn = f"{alias}@{domain}"
        users.append(
            User(
                id=stable_guid("user", seed, i),
                user_principal_name=upn,
                display_name=f"{first} {last}",
                given_name=first,
                surname=last,
                password=f"Demo-{first}-{i:02d}!",
                job_title=_TITLES[dept_i % len(_TITLES)],
                department=_DEPARTMENTS[dept_i],
                office_location=rng.choice(_OFFICES),
                mobile_phone=f"+1 425 555 {rng.randrange(1000, 9999)}" if rng.random() < 0.7 else None,
                business_phones=[f"+1 425 555 {rng.randrange(1000, 9999)}"] if rng.random() < 0.8 else [],
                mail=upn,
                is_admin=(i == 0),
            )
        )
    demo_user = users[0]
    public_id = stable_guid("app/public", seed)
    conf_id = stable_guid("app/confidential", seed)
    cert_id = stable_guid("app/certificate", seed)
    secret = "emu~" + hashlib.sha256(f"secret/{seed}".encode()).hexdigest()[:36]
    loopback = [
        "http://localhost",
        "http://127.0.0.1",
        "http://localhost/callback",
        "https://login.microsoftonline.com/common/oauth2/nativeclient",
    ]
    apps = {
        public_id: App(
            client_id=public_id,
            display_name="o365sql emulator public client",
            tenant_id=tenant_id,
            public=True,
            redirect_uris=list(loopback),
        ),
        DEFAULT_PUBLIC_CLIENT_ID: App(
            client_id=DEFAULT_PUBLIC_CLIENT_ID,
            display_name="Microsoft Graph Command Line Tools",
            tenant_id=stable_guid("tenant/microsoft"),
            public=True,
            redirect_uris=list(loopback),
        ),
        conf_id: App(
            client_id=conf_id,
            display_name="o365sql emulator web app",
            tenant_id=tenant_id,
            public=False,
            redirect_uris=[*loopback, "http://localhost:33333", "https://app.example.test/callback"],
            secrets=[secret],
            roles=frozenset(APP_PERMISSIONS),
        ),
        cert_id: App(
            client_id=cert_id,
            display_name="o365sql emulator daemon (certificate)",
            tenant_id=tenant_id,
            public=False,
            redirect_uris=["https://app.example.test/callback"],
            roles=frozenset(APP_PERMISSIONS),
        ),
    }
    return Directory(
        tenant=tenant,
        apps=apps,
        users=users,
        public_client_id=public_id,
        confidential_client_id=conf_id,
        confidential_client_secret=secret,
        cert_client_id=cert_id,
        demo_user=demo_user,
    )
