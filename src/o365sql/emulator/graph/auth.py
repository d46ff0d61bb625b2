"""Bearer-token checks and the permissions each Graph resource needs (delegated scopes or app roles)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .envelope import Ctx, Owner
from .errors import GraphError
from .model import Drive, Mailbox

if TYPE_CHECKING:
    from ..tokens import AccessGrant

__all__ = [
    "CALENDARS",
    "CONTACTS",
    "FILES",
    "GROUPS",
    "GROUPS_WRITE",
    "MAIL",
    "MAILBOX_SETTINGS",
    "MAIL_SEND",
    "MEMBERS_WRITE",
    "USERS",
    "USERS_WRITE",
    "Perm",
    "authenticate",
    "open_drive",
    "open_mailbox",
    "require_any",
    "require_directory",
    "require_drive",
    "require_mailbox",
]

_MESSAGES = {
    "empty": "Access token is empty.",
    "expired": "Access token has expired or is not yet valid.",
    "malformed": "CompactToken parsing failed with error code: 80049217",
    "revoked": "CompactToken parsing failed with error code: 80049217",
}
INSUFFICIENT = "Insufficient privileges to complete the operation."
DENIED = "Access is denied. Check credentials and try again."


class Perm:
    """The permissions one operation accepts: on one's own data, and on other users' data (delegated)."""

    def __init__(self, own: set[str], shared: set[str], app: set[str]) -> None:
        self.own = frozenset(own)
        self.shared = frozenset(shared)
        self.app = frozenset(app)


# (read, write) pairs per area. Delegated ".Shared" scopes include the user's own data.
MAIL = (
    Perm(
        {"Mail.Read", "Mail.ReadWrite", "Mail.ReadBasic"},
        {"Mail.Read.Shared", "Mail.ReadWrite.Shared"},
        {"Mail.Read", "Mail.ReadWrite", "Mail.ReadBasic.All"},
    ),
    Perm({"Mail.ReadWrite"}, {"Mail.ReadWrite.Shared"}, {"Mail.ReadWrite"}),
)
MAIL_SEND = Perm({"Mail.Send"}, {"Mail.Send.Shared"}, {"Mail.Send"})
CALENDARS = (
    Perm(
        {"Calendars.Read", "Calendars.ReadWrite", "Calendars.ReadBasic"},
        {"Calendars.Read.Shared", "Calendars.ReadWrite.Shared"},
        {"Calendars.Read", "Calendars.ReadWrite", "Calendars.ReadBasic.All"},
    ),
    Perm({"Calendars.ReadWrite"}, {"Calendars.ReadWrite.Shared"}, {"Calendars.ReadWrite"}),
)
CONTACTS = (
    Perm(
        {"Contacts.Read", "Contacts.ReadWrite"},
        {"Contacts.Read.Shared", "Contacts.ReadWrite.Shared"},
        {"Contacts.Read", "Contacts.ReadWrite"},
    ),
    Perm({"Contacts.ReadWrite"}, {"Contacts.ReadWrite.Shared"}, {"Contacts.ReadWrite"}),
)
FILES = (
    Perm(
        {
            "Files.Read",
            "Files.ReadWrite",
            "Files.Read.All",
            "Files.ReadWrite.All",
            "Sites.Read.All",
            "Sites.ReadWrite.All",
        },
        {"Files.Read.All", "Files.ReadWrite.All", "Sites.Read.All", "Sites.ReadWrite.All"},
        {"Files.Read.All", "Files.ReadWrite.All", "Sites.Read.All", "Sites.ReadWrite.All"},
    ),
    Perm(
        {"Files.ReadWrite", "Files.ReadWrite.All", "Sites.ReadWrite.All"},
        {"Files.ReadWrite.All", "Sites.ReadWrite.All"},
        {"Files.ReadWrite.All", "Sites.ReadWrite.All"},
    ),
)
# user-get-mailboxsettings.md / mailfolder-list-messagerules.md: MailboxSettings.Read (delegated and app).
MAILBOX_SETTINGS = Perm(
    {"MailboxSettings.Read", "MailboxSettings.ReadWrite"},
    set(),
    {"MailboxSettings.Read", "MailboxSettings.ReadWrite"},
)
_DIR_ALL = {"Directory.Read.All", "Directory.ReadWrite.All", "Directory.AccessAsUser.All"}
USERS = Perm(
    {"User.Read", "User.ReadWrite", "User.ReadBasic.All", "User.Read.All", "User.ReadWrite.All", *_DIR_ALL},
    {"User.ReadBasic.All", "User.Read.All", "User.ReadWrite.All", *_DIR_ALL},
    {"User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"},
)
GROUPS = Perm(
    {"Group.Read.All", "Group.ReadWrite.All", "GroupMember.Read.All", "GroupMember.ReadWrite.All", *_DIR_ALL},
    set(),
    {
        "Group.Read.All",
        "Group.ReadWrite.All",
        "GroupMember.Read.All",
        "GroupMember.ReadWrite.All",
        "Directory.Read.All",
        "Directory.ReadWrite.All",
    },
)

# Directory writes (user-create.md, group-post-groups.md, group-post-members.md): delegated writes need the
# ReadWrite scopes (or Directory.AccessAsUser.All); an application needs the ReadWrite app roles.
_DIR_WRITE = {"Directory.ReadWrite.All", "Directory.AccessAsUser.All"}
USERS_WRITE = Perm(
    {"User.ReadWrite.All", *_DIR_WRITE},
    {"User.ReadWrite.All", *_DIR_WRITE},
    {"User.ReadWrite.All", "Directory.ReadWrite.All"},
)
GROUPS_WRITE = Perm(
    {"Group.ReadWrite.All", *_DIR_WRITE}, set(), {"Group.ReadWrite.All", "Directory.ReadWrite.All"}
)
MEMBERS_WRITE = Perm(
    {"GroupMember.ReadWrite.All", "Group.ReadWrite.All", *_DIR_WRITE},
    set(),
    {"GroupMember.ReadWrite.All", "Group.ReadWrite.All", "Directory.ReadWrite.All"},
)


def authenticate(ctx: Ctx) -> AccessGrant:
    """The request's grant, or 401 InvalidAuthenticationToken with Graph's WWW-Authenticate header."""
    header = ctx.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if header and scheme.lower() != "bearer":
        token = header  # not a bearer token at all: Graph fails to parse it
    check = ctx.state.tokens.check_access(token.strip() or None)
    if check.grant is None:
        # Real Graph names login.microsoftonline.com; the emulator names its own authority so nothing
        # following the header ever leaves 127.0.0.1.
        www = (
            f'Bearer realm="", authorization_uri="{ctx.state.authority_host}/common/oauth2/authorize", '
            'client_id="00000003-0000-0000-c000-000000000000"'
        )
        raise GraphError(
            401,
            "InvalidAuthenticationToken",
            _MESSAGES[check.error or "malformed"],
            headers={"WWW-Authenticate": www},
        )
    ctx.grant = check.grant
    return check.grant


def _allowed(grant: AccessGrant, perm: Perm, owner_id: str) -> tuple[bool, bool]:
    """(allowed, has the own-data permission but not the shared one)."""
    if grant.app_only:
        return grant.has_any(perm.app), False
    if owner_id == grant.user_id:
        return grant.has_any(perm.own | perm.shared), False
    if grant.has_any(perm.shared):
        return True, False
    return False, grant.has_any(perm.own)


def require_mailbox(ctx: Ctx, owner_id: str, perm: Perm) -> None:
    """Outlook resources: 403 ErrorAccessDenied unless the grant covers this mailbox."""
    assert ctx.grant is not None
    ok, own_only = _allowed(ctx.grant, perm, owner_id)
    if not ok:
        # Another user's mailbox with only the own-data scope: Exchange's "Access is denied" message.
        message = DENIED if own_only or ctx.grant.app_only else INSUFFICIENT
        raise GraphError(403, "ErrorAccessDenied", message)


def require_drive(ctx: Ctx, owner_id: str, perm: Perm) -> None:
    """OneDrive resources: 403 accessDenied unless the grant covers this drive."""
    assert ctx.grant is not None
    ok, _ = _allowed(ctx.grant, perm, owner_id)
    if not ok:
        raise GraphError(403, "accessDenied", INSUFFICIENT)


def require_directory(ctx: Ctx, perm: Perm, self_id: str | None = None) -> None:
    """Directory resources: 403 Authorization_RequestDenied unless the grant has one of the permissions.

    `self_id` is the user being read, when reading one user: User.Read covers the signed-in user.
    """
    assert ctx.grant is not None
    grant = ctx.grant
    if grant.app_only:
        ok = grant.has_any(perm.app)
    elif self_id is not None and self_id == grant.user_id:
        ok = grant.has_any(perm.own)
    else:
        ok = grant.has_any(perm.shared or perm.own)
    if not ok:
        raise GraphError(403, "Authorization_RequestDenied", INSUFFICIENT)


def require_any(ctx: Ctx, perm: Perm, code: str) -> None:
    """403 `code` unless the grant holds one of the permissions (delegated or application), whoever reads."""
    assert ctx.grant is not None
    held = perm.app if ctx.grant.app_only else perm.own | perm.shared
    if not ctx.grant.has_any(held):
        raise GraphError(403, code, INSUFFICIENT)


def open_mailbox(ctx: Ctx, owner: Owner, perms: Perm | tuple[Perm, Perm], write: bool = False) -> Mailbox:
    """The owner's mailbox, once the grant covers the operation: an area's (read, write) pair, or one Perm."""
    perm = perms if isinstance(perms, Perm) else perms[1] if write else perms[0]
    require_mailbox(ctx, owner.id, perm)
    return ctx.store.mailbox(owner.id)


def open_drive(ctx: Ctx, owner: Owner, write: bool = False) -> Drive:
    """The owner's OneDrive, once the grant covers reading it (or writing, with `write`)."""
    require_drive(ctx, owner.id, FILES[1] if write else FILES[0])
    return ctx.store.drive(owner.id)
