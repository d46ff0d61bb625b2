"""Foreign keys from the TableSpecs: a child's parent key, and the owner (UserId) of per-user tables."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ._types import TableSpec

__all__ = ["ForeignKey", "foreign_keys", "primary_key_name"]

# The table a per-user table's scope column (UserId) names rows of.
_OWNER_TABLE = "Users"
# Graph columns that hold another table's key: (table, column) -> (referenced table, its key column).
_REFERENCES: dict[tuple[str, str], tuple[str, str]] = {
    ("Users", "manager_id"): ("Users", "id"),
}


def primary_key_name(table: str) -> str:
    """The name sys_primarykeys and sys_foreignkeys give a table's key."""
    return f"PK_{table}"


@dataclass(frozen=True)
class ForeignKey:
    """Columns of ``table`` whose values are the key of ``referenced_table``."""

    table: str
    columns: tuple[str, ...]
    referenced_table: str
    referenced_columns: tuple[str, ...]

    @property
    def name(self) -> str:
        """FK_<table>_<columns>_REF_<referenced table>_<referenced columns>."""
        return (
            f"FK_{self.table}_{'_'.join(self.columns)}_REF_{self.referenced_table}_"
            f"{'_'.join(self.referenced_columns)}"
        )


def _parent_key(spec: TableSpec, tables: Mapping[str, TableSpec]) -> ForeignKey:
    assert spec.parent_key is not None and spec.parent_table is not None
    parent = tables[spec.parent_table]
    # A parent keyed by more than one column (a thread within a group) is named by the child's columns of the
    # same names for all but the last key column, and by parent_key for the last one. A child that lacks
    # one of them (Buckets has PlanId, not the plan's GroupId) names the parent by its Graph id alone,
    # which Graph keeps unique on its own.
    *leading, last = parent.key
    try:
        columns = tuple(spec.column(c).name for c in leading)
    except KeyError:
        return ForeignKey(spec.name, (spec.parent_key,), parent.name, (last,))
    return ForeignKey(spec.name, (*columns, spec.parent_key), parent.name, (*leading, last))


def foreign_keys(spec: TableSpec, tables: Mapping[str, TableSpec]) -> tuple[ForeignKey, ...]:
    """A table's foreign keys: its parent key, UserId -> Users.id when per-user, and _REFERENCES."""
    out: list[ForeignKey] = []
    if spec.parent_key is not None and spec.parent_table is not None:
        out.append(_parent_key(spec, tables))
    owner = tables.get(_OWNER_TABLE)
    if spec.per_user and owner is not None and spec.name != owner.name:
        out.extend(
            ForeignKey(spec.name, (c.name,), owner.name, owner.key) for c in spec.columns if c.kind == "scope"
        )
    for (table, column), (referenced, key) in _REFERENCES.items():
        if table == spec.name and referenced in tables:
            out.append(ForeignKey(spec.name, (spec.column(column).name,), referenced, (key,)))
    return tuple(out)
