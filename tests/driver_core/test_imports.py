"""Import graphs: no circles in the driver (modules or rooms) or in the emulator; the driver uses no emulator.

Imports are read from the source (every ``import``/``from`` anywhere in a module, function-level ones too),
except those under ``if TYPE_CHECKING:``, which never run. Importing ``a.b.c`` runs ``a.b`` first, so it
counts as importing both, unless ``a.b`` is a package the importing module lives in (already being imported).

Rooms are the packages and the top-level modules, with the foundation modules (errors, properties, types,
logging) as one room and the DB-API surface (connection, cursor, their error diagnosis) as another. Between
rooms, imports under ``if TYPE_CHECKING:`` count too: a circle for the type checker is still a circle.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import o365sql

ROOT = Path(o365sql.__file__).parent
# The CLI's `demo` command starts the bundled emulator: the one place the driver may import it.
MAY_IMPORT_EMULATOR = {"o365sql.cli.demo"}
ROOMS = {
    "errors": "foundation",
    "properties": "foundation",
    "_types": "foundation",
    "_logging": "foundation",
    "connection": "dbapi",
    "cursor": "dbapi",
    "_diagnose": "dbapi",
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, typing_too: bool) -> Iterator[ast.Import | ast.ImportFrom]:
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node) and not typing_too:
            for child in node.orelse:
                yield from _imports(ast.Module([child], []), typing_too)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        yield from _imports(node, typing_too)


def _graph(typing_too: bool = False, emulator: bool = False) -> dict[str, set[str]]:
    """The driver's import graph, or with `emulator` the emulator's (each its own house)."""
    modules = {
        _module_name(p): p
        for p in ROOT.rglob("*.py")
        if ("emulator" in p.relative_to(ROOT).parts) == emulator
    }
    all_names = {_module_name(p) for p in ROOT.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in _imports(ast.parse(path.read_text(), str(path)), typing_too):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
                continue
            base = package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            source = f"{base}.{node.module}" if node.level and node.module else node.module or base
            if not name.startswith(source + "."):  # `from . import x`: this package is being imported already
                targets.add(source)
            # `from package import module` imports the module
            targets.update(f"{source}.{a.name}" for a in node.names if f"{source}.{a.name}" in all_names)
        edges: set[str] = set()
        for target in targets:
            if not target.startswith("o365sql"):
                continue
            parts = target.split(".")
            # the parents run first, except the packages this module is in (and the root, where every import
            # starts): those are being imported already
            for i in range(2, len(parts) + 1):
                parent = ".".join(parts[:i])
                if i == len(parts) or not name.startswith(parent + "."):
                    edges.add(parent)
        edges.discard(name)
        graph[name] = edges
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_module_imports_itself_in_a_circle() -> None:
    assert _cycles(_graph()) == []


def test_rooms_import_each_other_one_way() -> None:
    def room(module: str) -> str:
        top = module.split(".")[1]
        return ROOMS.get(top, top)

    rooms: dict[str, set[str]] = {}
    for module, targets in _graph(typing_too=True).items():
        if module == "o365sql":
            continue  # the package's front door re-exports the DB-API surface
        for target in targets:
            if room(target) != room(module):
                rooms.setdefault(room(module), set()).add(room(target))
    assert _cycles(rooms) == []


def test_the_driver_uses_the_emulator_only_for_the_demo() -> None:
    users = {m for m, targets in _graph().items() if any(t.startswith("o365sql.emulator") for t in targets)}
    assert users <= MAY_IMPORT_EMULATOR


def test_the_emulator_has_no_import_circle() -> None:
    """Not even for the type checker: the store, the generators and the routes import one way."""
    assert _cycles(_graph(typing_too=True, emulator=True)) == []


def test_the_check_finds_a_circle() -> None:
    """The detector itself: a planted circle is reported."""
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
