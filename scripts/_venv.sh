# Sourced by scripts/*: make .venv when missing and install the project with the given extras when
# pyproject.toml changed since the last install. Idempotent.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
extras="${1:-}"
pick_python() {
  for py in python3.13 python3.12 python3.11 python3; do
    # 2>/dev/null: a version manager's shim (pyenv) exists for versions it cannot run, and says so on stderr
    if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$py"; return 0
    fi
  done
  echo "o365sql needs Python 3.11 or newer" >&2; return 1
}
if [ ! -x .venv/bin/python ]; then
  "$(pick_python)" -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
fi
stamp=".venv/.o365sql-installed${extras:+-$extras}"
want="$(cat pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  spec="."
  [ -n "$extras" ] && spec=".[$extras]"
  .venv/bin/python -m pip install -q -e "$spec" 2>&1 | grep -v '^WARNING: Location' || true
  .venv/bin/python -c 'import o365sql' # fail here, not later, if the install did not work
  echo "$want" > "$stamp"
fi
