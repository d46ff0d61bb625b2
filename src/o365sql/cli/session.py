"""The connection every command runs on: its string, the stored sign-in by default, errors as one clean line.

Commands other than `login` use what `login` stored: unless the connection string chooses InitiateOAuth (or
gives a token, a code or an app-only scheme), they connect with InitiateOAuth=REFRESH, so they refresh the
stored tokens and never open a browser; with nothing stored they say to run `o365sql login`.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NoReturn

import click

if TYPE_CHECKING:
    from ..connection import Connection
    from ..properties import Properties

__all__ = ["CONNECTION_ENV", "LOGIN_HINT", "Session", "fail"]

CONNECTION_ENV = "O365SQL_CONNECTION"
LOGIN_HINT = "run `o365sql login` (with the same connection options) to sign in"


def fail(message: str) -> NoReturn:
    """Stop the command with `Error: message` on stderr and exit status 1."""
    raise click.ClickException(message)


class Session:
    """The connection options of a command line (`-c` before or after the command, or $O365SQL_CONNECTION)."""

    def __init__(self, connection: str | None = None) -> None:
        self.connection = connection if connection is not None else os.environ.get(CONNECTION_ENV, "")
        #: False with --no-pager: long output on a terminal is not sent through $PAGER
        self.paging = True
        #: True with --stats: each statement's cost is printed on stderr
        self.stats = False

    def properties(self, **overrides: Any) -> Properties:
        """The resolved properties; a bad property stops the command with its message."""
        from .. import Error
        from ..properties import resolve

        try:
            with _warnings_echoed():
                return resolve(self.connection, **overrides)
        except Error as exc:
            fail(str(exc))

    def _defaults(self) -> dict[str, str]:
        from .. import Error
        from ..properties import resolve

        try:
            with warnings.catch_warnings():  # connect() below warns; once is enough
                warnings.simplefilter("ignore")
                props = resolve(self.connection)
        except Error as exc:
            fail(str(exc))
        if (
            props.explicit("InitiateOAuth")
            or props["OAuthAccessToken"]
            or props["OAuthVerifier"]
            or props["AuthScheme"] != "AzureAD"
            or props["OAuthGrantType"] == "CLIENT"
        ):
            return {}
        return {"InitiateOAuth": "REFRESH"}

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """An open connection; DB-API errors raised inside the block stop the command with one line."""
        import o365sql

        defaults = self._defaults()
        try:
            with _warnings_echoed():
                con = o365sql.connect(self.connection, **defaults)
        except o365sql.Error as exc:
            fail(self.explain(exc, stored=bool(defaults)))
        try:
            yield con
        except o365sql.Error as exc:
            fail(self.explain(exc, stored=bool(defaults)))
        finally:
            con.close()

    def uses_stored_sign_in(self) -> bool:
        """True when commands run on the tokens `login` stored (the connection string chose no other way)."""
        return bool(self._defaults())

    def explain(self, exc: Exception, *, stored: bool | None = None) -> str:
        """An error's message for a person; a missing or lapsed stored sign-in says to run `o365sql login`."""
        from ..errors import AuthenticationError

        stored = self.uses_stored_sign_in() if stored is None else stored
        if stored and isinstance(exc, AuthenticationError):
            if getattr(exc, "code", None) == "no_token":
                return f"Not signed in: {LOGIN_HINT}."
            return f"{str(exc).rstrip('.')}. To sign in again, run `o365sql login` (same connection options)."
        return str(exc)


@contextmanager
def _warnings_echoed() -> Iterator[None]:
    """Show the driver's warnings (e.g. ignored connection properties) as `Warning: ...` lines on stderr."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for warning in caught:
        click.echo(f"Warning: {warning.message}", err=True)
