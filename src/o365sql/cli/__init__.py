"""The `o365sql` command line: queries, the interactive shell, export, sign-in, and a demo on the emulator.

commands.py holds the click commands; session.py the connection they share; formats.py and render.py how
results are written and drawn; output.py where they go (pager); shell.py and completion.py the shell.
"""

from __future__ import annotations

from .commands import main

__all__ = ["main"]
