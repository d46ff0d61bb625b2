"""A `BROWSER` for the desktop-flow tests: hands the sign-in URL to the test's Chromium through its socket.

Python's `webbrowser` runs it as ``python launcher.py PORT URL``; the test listens on 127.0.0.1:PORT.
"""

from __future__ import annotations

import socket
import sys

if __name__ == "__main__":
    port, url = int(sys.argv[1]), sys.argv[2]
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(url.encode())
