"""Write the reference pages made from the code: docs/{connection-properties,tables,procedures}.md.

.venv/bin/python scripts/gen_docs.py          # rewrite them
.venv/bin/python scripts/gen_docs.py --check  # exit 1 if any is out of date (the test suite runs this)
"""

from __future__ import annotations

import sys
from pathlib import Path

from o365sql import procedures
from o365sql.properties import IGNORED, PROPERTIES
from o365sql.schema import TABLES, ColumnSpec, TableSpec, foreign_keys
from o365sql.schema._types import drive_base

DOCS = Path(__file__).resolve().parent.parent / "docs"
HEADER = "<!-- Made by scripts/gen_docs.py from the code; edit the code, then run the script. -->\n\n"


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def properties_page() -> str:
    """Every connection property: group, type, default, allowed values, meaning."""
    lines = [
        HEADER + "# Connection properties\n",
        "`Name=Value;Name=Value` (names are case-insensitive; values may be quoted with `'` or `\"`), merged "
        "with `connect(**kwargs)`, where keyword arguments win. Secrets are marked: they never appear in "
        "logs, error messages, reprs or `sys_connection_props`.\n",
    ]
    groups: dict[str, list[str]] = {}
    for spec in PROPERTIES:
        kind = getattr(spec.type, "__name__", str(spec.type))
        default = "" if spec.default in (None, "") else f"`{spec.default}`"
        allowed = ", ".join(f"`{c}`" for c in spec.choices)
        name = f"**{spec.name}**" + (" (secret)" if spec.secret else "")
        if spec.aliases:
            name += " — also " + ", ".join(f"`{a}`" for a in spec.aliases)
        row = f"| {name} | {kind} | {default} | {allowed} | {_cell(spec.help)} |"
        groups.setdefault(spec.group or "Other", []).append(row)
    for group, rows in groups.items():
        lines.append(f"\n## {group}\n\n| property | type | default | values | meaning |")
        lines.append("| --- | --- | --- | --- | --- |")
        lines.extend(rows)
    lines.append(
        "\n## Accepted and ignored\n\nProperties of the commercial connector that do not apply to o365sql. A "
        "connection string may carry them: they are ignored, and one `IgnoredPropertiesWarning` names them. "
        "Where ignoring a value would change results, only the values listed are accepted; another value is "
        "refused with what to use instead.\n\n| property | values accepted | instead |\n| --- | --- | --- |"
    )
    for name, (safe, instead) in IGNORED.items():
        accepted = ", ".join(f"`{v}`" for v in safe) or "any"
        lines.append(f"| {name} | {accepted} | {_cell(instead)} |")
    return "\n".join(lines) + "\n"


def tables_page() -> str:
    """Every table and column, with what Graph evaluates (pushdown) and the permissions it reads with."""
    lines = [
        HEADER + "# Tables\n",
        "Columns are Graph's property names, nested objects flattened with `_`; collections are JSON text. "
        "*filter* lists the conditions sent to Graph as `$filter` (SQLite still checks every condition Graph "
        "evaluates differently, so results never depend on it); an operator marked `*` is sent as a "
        "directory advanced query (`ConsistencyLevel: eventual`, `$count=true`); *order* marks columns Graph "
        "can sort on (docs/sql.md has the full rule). "
        "Types: DATETIME comes back as an aware UTC `datetime`, BOOLEAN as `bool`, JSON as text.\n",
    ]
    for name, spec in sorted(TABLES.items()):
        delegated, application = spec.permissions
        lines.append(f"\n## {name}\n\n{spec.description}\n")
        scope = " (`{scope}` is `/me`, or `/users/{UserId}`)" if spec.per_user else ""
        if spec.owners:
            # another owner than a user (Files.DriveId, Events.GroupId): the paths it reads in place of /me
            drive = "{drive}" in spec.collection
            paths = [drive_base(o.path) if drive else o.path for o in spec.owners.values()]
            mine = ("/me/drive", "/users/{UserId}/drive") if drive else ("/me", "/users/{UserId}")
            others = ", ".join(f"`{p}`" for p in paths)
            placeholder = "{drive}" if drive else "{scope}"
            scope = f" (`{placeholder}` is `{mine[0]}`, `{mine[1]}`, or {others})"
        writes = (
            ", ".join(st for st in ("INSERT", "UPDATE", "DELETE") if st in spec.writes)
            if spec.writes
            else "none (read-only)"
        )
        kind = "A view (rows Graph computes). " if spec.is_view else ""
        key = ", ".join(spec.key)
        lines.append(f"Graph: `{spec.collection}`{scope}. Key: {key}. {kind}Writes: {writes}.")
        if spec.parent_table and spec.parent_key:
            lines.append(f"Parent: {spec.parent_table} ({spec.parent_key}).")
        if spec.required_routes:
            lines.append(f"Required: {', '.join(spec.required_routes)} (a WHERE term or a join gives it).")
        references = "; ".join(
            f"{', '.join(fk.columns)} -> {fk.referenced_table}.{', '.join(fk.referenced_columns)}"
            for fk in foreign_keys(spec)
        )
        if references:
            lines.append(f"References (sys_foreignkeys): {references}.")
        if delegated or application:
            deleg, app = " or ".join(delegated), " or ".join(application)
            lines.append(f"Permissions: {deleg} (delegated); {app} (application).\n")
        if spec.writes:
            deleg, app = (" or ".join(p) for p in spec.write_permissions)
            lines.append(f"Writes ([how](writes.md)) need: {deleg} (delegated); {app} (application).\n")
        for column, owner in spec.owners.items():
            # an owner with permissions of its own (a group's calendar: mostly signed-in users only)
            for what, perms in (("reads", owner.permissions), ("writes", owner.write_permissions)):
                if perms is None or (what == "writes" and not spec.writes):
                    continue
                o_deleg, o_app = perms
                if o_deleg or o_app:
                    app_text = " or ".join(o_app) or "not supported (signed-in users only)"
                    lines.append(
                        f"A {owner.owner}'s {what} ({column} = x, `{owner.path}`): "
                        f"{' or '.join(o_deleg)} (delegated); {app_text} (application).\n"
                    )
                elif what == "writes":
                    lines.append(f"A {owner.owner}'s {what} ({column} = x): none (Graph takes no writes).\n")
        lines.append(
            "| column | type | filter | order | write | notes |\n| --- | --- | --- | --- | --- | --- |"
        )
        for c in spec.columns:
            writable = bool(spec.column_writes(c))
            # hidden aliases and SEARCH stay out; a column hidden for its cost or permission is listed
            if c.hidden and not writable and not (c.expand or c.permissions):
                continue
            ops = ", ".join(o + ("*" if o in c.advanced_ops else "") for o in sorted(c.filter_ops))
            notes = c.description.rstrip(".") + (" (hidden: name it to use it)" if c.hidden else "")
            if c.unset_shows is not None:
                notes += f". Graph may leave it unset (shown as {c.unset_shows!r}): not trusted to Graph"
            if c.instant_slack_hours:
                notes += f". Sent widened by {c.instant_slack_hours} h, re-checked, not sorted by Graph"
            write = _write_cell(spec, c)
            lines.append(
                f"| {c.name} | {c.type} | {ops} | {'yes' if c.orderable else ''} | {write} | {_cell(notes)} |"
            )
    return "\n".join(lines) + "\n"


def _write_cell(spec: TableSpec, column: ColumnSpec) -> str:
    statements = spec.column_writes(column)
    if not statements:
        return "read-only" if spec.writes & {"INSERT", "UPDATE"} else ""
    required = " (required)" if column.name in spec.insert_required else ""
    return " ".join(s + (required if s == "INSERT" else "") for s in sorted(statements))


def procedures_page() -> str:
    """Every stored procedure: parameters and result columns."""
    lines = [
        HEADER + "# Stored procedures\n",
        "`EXEC[UTE] Name [@]Param = value|?, ...` or `cursor.callproc(name, {...})`; "
        "the result is a row set.\n",
    ]
    for proc in sorted(procedures.all_procedures(), key=lambda p: p.name):
        lines.append(f"\n## {proc.name}\n\n{proc.description}\n")
        lines.append("| parameter | type | required | meaning |\n| --- | --- | --- | --- |")
        for p in proc.params:
            lines.append(f"| {p.name} | {p.type} | {'yes' if p.required else ''} | {_cell(p.description)} |")
        cols = ", ".join(f"{n} ({t})" for n, t in proc.result_columns)
        lines.append(f"\nResult columns: {cols}.")
    return "\n".join(lines) + "\n"


PAGES = {
    "connection-properties.md": properties_page,
    "tables.md": tables_page,
    "procedures.md": procedures_page,
}


def main(argv: list[str]) -> int:
    """Write the pages, or with --check report which are stale."""
    stale = []
    for filename, make in PAGES.items():
        path, text = DOCS / filename, make()
        if "--check" in argv:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(filename)
        else:
            path.write_text(text, encoding="utf-8")
    if stale:
        print("out of date (run scripts/gen_docs.py): " + ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
