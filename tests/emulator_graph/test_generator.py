"""The demo tenant generator: deterministic, fast, scaled, and the empty data set."""

from __future__ import annotations

from o365sql.emulator.config import EmulatorConfig
from o365sql.emulator.graph.store import GraphStore
from o365sql.emulator.state import EmulatorState


def _store(**kw: object) -> GraphStore:
    state = EmulatorState(EmulatorConfig(**kw))  # type: ignore[arg-type]
    state.base_url = "https://127.0.0.1:1"
    return GraphStore(state)


def test_deterministic_and_fast() -> None:
    """The same seed gives the same tenant (ids, subjects, drive, groups); another seed another one."""
    a = _store()
    demo = a.state.directory.demo_user.id
    box_a = a.mailbox(demo)
    drive_a = a.drive(demo)
    b = _store()
    box_b = b.mailbox(demo)
    assert [m["id"] for m in box_a.sorted_messages()] == [m["id"] for m in box_b.sorted_messages()]
    assert [m["subject"] for m in box_a.sorted_messages()] == [m["subject"] for m in box_b.sorted_messages()]
    assert list(box_a.events) == list(box_b.events) and list(box_a.contacts) == list(box_b.contacts)
    assert list(drive_a.items) == list(b.drive(demo).items)
    assert [g["id"] for g in a.groups] == [g["id"] for g in b.groups]
    other = _store(seed=7)
    assert [m["id"] for m in other.mailbox(other.state.directory.demo_user.id).sorted_messages()][:5] != [
        m["id"] for m in box_a.sorted_messages()
    ][:5]


def test_demo_user_has_the_largest_mailbox() -> None:
    """About 200 messages for the demo user at scale 1; others fewer; everyone has the well-known folders."""
    store = _store()
    demo = store.state.directory.demo_user.id
    sizes = {u["id"]: len(store.mailbox(u["id"]).messages) for u in store.users}
    assert 190 <= sizes[demo] <= 260
    assert all(n < sizes[demo] for uid, n in sizes.items() if uid != demo)
    for uid in sizes:
        box = store.mailbox(uid)
        assert {"inbox", "drafts", "sentitems", "deleteditems", "junkemail", "archive", "outbox"} <= set(
            box.wellknown
        )
    kinds = {g["groupTypes"] == ["Unified"] for g in store.groups}
    assert kinds == {True, False}
    assert all(store.members[g["id"]] for g in store.groups)


def test_scale_grows_lazily() -> None:
    """Scale 20: ~4,000 messages for the demo user, built only when the mailbox is first used."""
    store = _store(scale=20)
    assert not store._mailboxes
    box = store.mailbox(store.state.directory.demo_user.id)
    assert len(box.messages) >= 4000
    assert list(store._mailboxes) == [store.state.directory.demo_user.id]  # only the one asked for
    assert len(store.users) == 10 + 19 * 2


def test_empty_data_set() -> None:
    """data=empty: the same users, folders and drive root, but no messages, events, contacts or files."""
    store = _store(data="empty")
    demo = store.state.directory.demo_user.id
    box = store.mailbox(demo)
    assert not box.messages and not box.events and not box.contacts
    assert "inbox" in box.wellknown and box.calendars
    drive = store.drive(demo)
    assert all("folder" in item for item in drive.items.values())
    assert len(store.users) == 10
