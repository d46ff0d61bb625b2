"""The fault suite scans every table in o365sql.schema.TABLES (runs without the `faults` marker, so a table
that cannot be scanned fails the ordinary run, not only CI's fault run)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from o365sql.schema import TABLES

from ._scans import DELEGATED_SCOPES, scan_problems, scan_statement
from .test_fault_suite import SCANS


def test_every_table_has_a_scan_in_the_fault_suite() -> None:
    assert scan_problems() == {}
    assert set(SCANS) == set(TABLES)
    # each statement reads its own table's columns: the last table of the chain is the table itself
    for name, sql in SCANS.items():
        joined = sql.startswith("SELECT t") and sql.rsplit("JOIN ", 1)[1].startswith(f"{name} AS ")
        assert sql == f"SELECT * FROM {name}" or joined, (name, sql)


def test_a_table_whose_path_needs_values_is_joined_from_where_they_come() -> None:
    assert scan_statement(TABLES["Posts"]) == (
        "SELECT t1.* FROM Threads AS t0 JOIN Posts AS t1 ON t1.GroupId = t0.GroupId AND t1.ThreadId = t0.id"
    )
    # a parent that needs routing values itself is reached through its own parent
    assert scan_statement(TABLES["ChannelMessageReplies"]) == (
        "SELECT t2.* FROM Channels AS t0 "
        "JOIN ChannelMessages AS t1 ON t1.TeamId = t0.TeamId AND t1.ChannelId = t0.id "
        "JOIN ChannelMessageReplies AS t2 ON t2.TeamId = t1.TeamId AND t2.ChannelId = t1.ChannelId "
        "AND t2.MessageId = t1.id"
    )
    # no parent_table: EventAttachments' foreign key says where an EventId comes from
    assert scan_statement(TABLES["EventOccurrences"]) == (
        "SELECT t1.* FROM Events AS t0 JOIN EventOccurrences AS t1 ON t1.EventId = t0.id"
    )
    assert scan_statement(TABLES["GroupMembers"]) == "SELECT * FROM GroupMembers"  # fans out by itself


def test_a_route_no_spec_can_give_a_value_for_is_refused_by_name() -> None:
    posts = TABLES["Posts"]
    orphan = replace(
        posts,
        name="Orphans",
        parent_table=None,
        parent_key=None,
        collection="/things/{ThingId}/orphans",
        routes={"ThingId": "/things/{ThingId}/orphans"},
    )
    with pytest.raises(LookupError, match="Orphans needs ThingId"):
        scan_statement(orphan)


def test_the_suite_asks_for_every_delegated_permission_a_table_names() -> None:
    assert all(set(spec.permissions[0]) <= DELEGATED_SCOPES for spec in TABLES.values())
