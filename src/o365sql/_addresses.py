"""Address lists as people type them (`Ana <ana@x.com>; bo@y.com`), for SQL values and EXEC parameters."""

from __future__ import annotations

import re

__all__ = ["is_address", "parse_address_list"]

# no spaces, brackets, separators or control characters (a NUL would reach the recipient's server as is)
_ADDRESS = re.compile(r"^[^@\s<>;,\x00-\x1f\x7f]+@[^@\s<>;,\x00-\x1f\x7f]+\.[^@\s<>;,\x00-\x1f\x7f]+$")
_NAMED = re.compile(r"(.*?)\s*<([^<>]+)>")


def is_address(text: str) -> bool:
    """True for something shaped like name@domain.tld."""
    return bool(_ADDRESS.match(text.strip()))


def parse_address_list(text: str) -> list[tuple[str | None, str]]:
    """(display name or None, address) for each entry; ValueError naming the first entry that is no address.

    `;` separates entries; `,` does too, except inside an entry with `<...>` (`Doe, Jo <jo@x.com>`).
    """
    pieces: list[str] = []
    for part in text.split(";"):
        pieces.extend([part] if "<" in part else part.split(","))
    out: list[tuple[str | None, str]] = []
    for raw in pieces:
        entry = raw.strip()
        if not entry:
            continue
        name: str | None = None
        match = _NAMED.fullmatch(entry)
        if match:
            name, entry = match.group(1).strip().strip('"') or None, match.group(2).strip()
        if not is_address(entry):
            raise ValueError(raw.strip() if not match else entry)
        out.append((name, entry))
    return out
