"""`python -m o365sql.emulator serve|browse`: the emulator's command line (design.md section 5)."""

from __future__ import annotations

import contextlib
import json
import signal
import sys
from pathlib import Path
from types import FrameType

import click

from .config import EmulatorConfig

__all__ = ["main"]


@click.group()
def main() -> None:
    """A local Microsoft identity platform and Graph v1.0 for o365sql's tests and demo."""


@main.command()
@click.option("--port", default=0, show_default=True, help="TCP port on 127.0.0.1; 0 picks a free one.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (loopback only).")
@click.option(
    "--data",
    type=click.Choice(["demo", "empty"]),
    default="demo",
    show_default=True,
    help="demo: the generated tenant; empty: the directory with empty mailboxes.",
)
@click.option(
    "--scale",
    default=1,
    show_default=True,
    type=click.IntRange(1, 1000),
    help="Multiply the demo tenant's content (100 gives the largest mailbox 20,000+ messages).",
)
@click.option("--seed", default=EmulatorConfig.seed, show_default=True, help="Seed of the demo tenant.")
@click.option("--latency-ms", default=0.0, show_default=True, help="Latency added to every request.")
@click.option("--faults", default=None, help="Fault injection, e.g. 'throttle_share=0.1,retry_after=1.5'.")
@click.option("--token-lifetime", default=3599, show_default=True, help="Access-token lifetime in seconds.")
@click.option(
    "--state-dir",
    type=click.Path(path_type=Path),
    default=None,
    help=(
        "Folder for ca.pem and emulator.json, kept after the run "
        "(default: one under the temp folder, by port, removed when the emulator stops)."
    ),
)
def serve(
    port: int,
    host: str,
    data: str,
    scale: int,
    seed: int,
    latency_ms: float,
    faults: str | None,
    token_lifetime: int,
    state_dir: Path | None,
) -> None:
    """Serve until stopped; print one JSON line when ready."""
    from .server import prepare

    if host not in ("127.0.0.1", "localhost", "::1"):
        raise click.UsageError("the emulator serves on loopback only (--host 127.0.0.1)")
    config = EmulatorConfig(
        data=data,
        scale=scale,
        seed=seed,
        host="127.0.0.1" if host == "localhost" else host,
        port=port,
        latency_ms=latency_ms,
        faults=faults,
        access_token_lifetime=token_lifetime,
        state_dir=state_dir,
    )
    try:
        server = prepare(config)
    except (OSError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc

    def ready() -> None:
        print(json.dumps(server.info), flush=True)

    def terminated(signum: int, frame: FrameType | None) -> None:
        # uvicorn shuts down on SIGTERM, then raises it again to the handler it found: end like Ctrl-C.
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminated)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever(on_ready=ready)
    finally:
        server.close()


@main.command()
@click.argument("url")
@click.option("--user", default=None, help="UPN to sign in as (default: the emulator's demo user).")
@click.option("--password", default=None, help="Password (default: the demo user's).")
@click.option(
    "--ca",
    type=click.Path(path_type=Path),
    default=None,
    help="CA file to trust (default: the one the emulator on URL's port wrote).",
)
@click.option("--decline", is_flag=True, help="Decline consent instead of accepting it.")
@click.option("--quiet", is_flag=True, help="Print nothing on success (the redirect carries the auth code).")
def browse(
    url: str, user: str | None, password: str | None, ca: Path | None, decline: bool, quiet: bool
) -> None:
    """Play a user at a browser: sign in, consent, deliver the redirect, print the final URL."""
    from .browse import BrowseError, run_browse

    try:
        final = run_browse(url, user=user, password=password, ca=ca, decline=decline)
    except BrowseError as exc:
        raise click.ClickException(str(exc)) from exc
    if not quiet:
        click.echo(final)


if __name__ == "__main__":
    sys.exit(main())
