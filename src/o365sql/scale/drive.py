"""Every item of a drive through one paged delta stream instead of one request per folder.

`GET {owner}/drive/root/delta` lists the whole drive (the root, every folder and file, deletions as a
`deleted` facet) in pages of up to 200. The Files table keeps what the folder walk kept: no root, no
deleted items, and only items at most DirectoryRetrievalDepth levels below the root (0: the root's children).
An item's depth comes from `parentReference.path` when Graph gives it; Graph's delta often leaves the path out
(renaming a folder does not re-send its descendants), so then depth and path come from the parent folders
seen earlier in the stream. An item whose parent has not been seen yet waits until it has.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Protocol

from ..schema._types import drive_base

__all__ = ["DELTA_PAGE", "DeltaSource", "drive_items", "drive_tree"]

#: driveItem delta pages: Graph's default (and our $top) is 200.
DELTA_PAGE = 200
_ROOT_PATH = "/drive/root:"

Item = dict[str, Any]


class DeltaSource(Protocol):
    """The part of GraphClient this module uses."""

    def iter_items(
        self,
        path: str,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        *,
        prefetch: bool = False,
    ) -> Iterator[dict[str, Any]]:
        """Every item of a collection, page by page."""
        ...


def _relative(path: str) -> str | None:
    """`/drive/root:/a/b` (or `/drives/{id}/root:/a/b`) -> `a/b`; None when the path is not of that form."""
    if ":" not in path:
        return None
    return path.split(":", 1)[1].strip("/")


class _Tree:
    """Folders seen so far: id -> (path below the root, depth of their children)."""

    def __init__(self) -> None:
        self.folders: dict[str, tuple[str, int]] = {}
        self.root_id: str | None = None

    def place(self, item: Item) -> tuple[str, int] | None:
        """(parent path below the root, the item's depth), or None while its parent is unknown."""
        ref = item.get("parentReference")
        ref = ref if isinstance(ref, Mapping) else {}
        path = ref.get("path")
        rel = _relative(path) if isinstance(path, str) else None
        if rel is not None:
            return rel, len(rel.split("/")) if rel else 0
        parent = ref.get("id")
        if parent == self.root_id:
            return "", 0
        known = self.folders.get(str(parent))
        if known is None:
            return None
        return known[0], known[1]

    def remember(self, item: Item, parent_rel: str, depth: int) -> None:
        if isinstance(item.get("folder"), Mapping):
            name = str(item.get("name") or "")
            rel = f"{parent_rel}/{name}" if parent_rel else name
            self.folders[str(item.get("id"))] = (rel, depth + 1)


def _with_path(item: Item, parent_rel: str) -> Item:
    ref = item.get("parentReference")
    if isinstance(ref, Mapping) and isinstance(ref.get("path"), str):
        return item
    out = dict(item)
    out["parentReference"] = {**(ref or {}), "path": _ROOT_PATH + ("/" + parent_rel if parent_rel else "")}
    return out


def drive_items(
    graph: DeltaSource, scope: str, params: Mapping[str, str], max_depth: int, *, prefetch: bool = False
) -> Iterator[Item]:
    """The items of the scope's drive (`{scope}/drive`, or `/drives/{id}` itself) down to `max_depth` levels
    below the root (-1: all), from one delta.

    ``params`` carries `$select` (it must name parentReference, folder, root, name) and `$top`.
    """
    query = {k: v for k, v in params.items() if k in ("$select", "$top")}
    query.setdefault("$top", str(DELTA_PAGE))
    yield from drive_tree(
        graph.iter_items(f"{drive_base(scope)}/root/delta", query, prefetch=prefetch), max_depth
    )


def drive_tree(items: Iterable[Item], max_depth: int) -> Iterator[Item]:
    """The Files rows among a drive's delta items (any order): no root or deletions, max_depth deep."""
    tree = _Tree()
    waiting: dict[str, list[Item]] = {}  # parent id -> items that arrived before it

    def settle(item: Item) -> Iterator[Item]:
        placed = tree.place(item)
        if placed is None:
            ref = item.get("parentReference")
            parent = str(ref.get("id")) if isinstance(ref, Mapping) else ""
            waiting.setdefault(parent, []).append(item)
            return
        parent_rel, depth = placed
        tree.remember(item, parent_rel, depth)
        if max_depth < 0 or depth <= max_depth:
            yield _with_path(item, parent_rel)
        for child in waiting.pop(str(item.get("id")), ()):
            yield from settle(child)

    for item in items:
        if item.get("deleted") is not None or "@removed" in item:
            continue
        if item.get("root") is not None:
            tree.root_id = str(item.get("id"))
            for child in waiting.pop(tree.root_id, ()):
                yield from settle(child)
            continue
        yield from settle(item)
