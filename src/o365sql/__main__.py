"""`python -m o365sql`: the same command line as `o365sql`."""

from __future__ import annotations

from .cli import main

if __name__ == "__main__":
    main(prog_name="o365sql")
