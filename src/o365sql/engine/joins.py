"""Join readahead: the inner table of a join reads the owners the outer rows will ask for next, side by side.

SQLite runs ``Users u JOIN Messages m ON m.UserId = u.id`` as a nested loop: Filter on Messages once per user,
with that user's id. Each scan of a connection is registered (``Scan``); when an inner Filter's routing value
(UserId, a parent key, any route) equals a column of an outer scan's current row, the inner scan is *bound* to
that column. The outer scan can then look ahead at its next rows (rows it holds already, or the next page
it would fetch anyway), and the inner one starts their reads on ``scale.readahead`` workers with the same
plan and values, the bound ones taken from those rows.

Speculation is kept small: SQLite may drop an outer row after it is produced (a WHERE term it checks
itself), so reads start only while the outer rows reach the inner table one after the other, and the
window grows 1, 2, 4, ... up to MaxConcurrentRequests - 1 owners as long as they keep doing so; the first
row SQLite skips stops the window growing until two consecutive rows arrive again. A read nobody asks for is
cancelled when the outer scan passes its row, having cost at most one page (one request). Rows are always
those the sequential Filter would give: a read ahead is used only for the exact plan and values it was
started with, and otherwise the Filter reads itself.

An owner of a bound join (UserId taken from the outer rows) follows OwnerErrors as a multi-owner read does:
a 403/404 raises naming the owner, or with OwnerErrors=SKIP the owner gives no rows and is reported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol

from ..errors import Error
from ..scale.readahead import Budget, Readahead
from ..scale.scheduler import MAILBOX_CONCURRENCY, OwnerSkip, fan_out_page, is_owner_failure, owner_error
from ..schema import TableSpec
from ._context import EngineContext
from .planner import Plan
from .request import Row, cache_key

__all__ = ["JoinReadahead", "Scan", "join_note"]


class Scan(Protocol):
    """What an outer scan shows an inner one: its position and the rows it will produce next."""

    gen: int  # Filter calls so far (a new outer scan starts a new generation)
    seq: int  # rows produced in this generation (1 = the first)
    eof: bool

    def current(self, column: int) -> Any:
        """The current row's value of a column SQLite reads (None when it reads none of it)."""
        ...

    def used_columns(self) -> Sequence[int]:
        """The columns SQLite reads from this scan."""
        ...

    def upcoming(self, count: int, columns: Sequence[int]) -> list[tuple[Any, ...]]:
        """The values of ``columns`` in (at most) the next ``count`` rows, without moving the scan."""
        ...


Binding = tuple[Scan, dict[int, int]]  # (outer scan, Filter argument -> outer column)


def _bind(scans: Sequence[Scan], plan: Plan, args: tuple[Any, ...]) -> Binding | None:
    """The outer scan whose current row gives this Filter's routing values (the most of them), if any."""
    routes = {t.argv for t in plan.terms if t.role == "route" and not t.is_in}
    best: Binding | None = None
    for scan in scans:
        if scan.eof:
            continue
        used = scan.used_columns()
        bound: dict[int, int] = {}
        for argv, value in enumerate(args):
            if not isinstance(value, str | int) or isinstance(value, bool):
                continue
            for c in used:
                v = scan.current(c)
                if v is not None and v == value and type(v) is type(value):
                    bound[argv] = c
                    break
        if not routes & set(bound):
            continue
        if best is None or len(bound) > len(best[1]):
            best = (scan, bound)
    return best


class JoinReadahead:
    """The readahead of one inner cursor (one statement): reads started, the outer scan's pace."""

    def __init__(
        self,
        spec: TableSpec,
        ctx: EngineContext,
        read: Callable[[Plan, tuple[Any, ...]], Iterator[Row]],
        budget: Budget,
    ) -> None:
        self.spec = spec
        self.budget = budget  # shared by the connection's inner scans: MaxConcurrentRequests - 1 at once
        self.ctx = ctx
        # read(plan, args): on a worker, the rows the sequential Filter gives for these values
        self.read = read
        self.ahead: Readahead[Row] | None = None
        self.last: tuple[int, int, int] | None = None  # (id of the outer scan, gen, seq) at the last Filter
        self.streak = 0
        self.reported = (0, 0)  # (started, wasted) already added to the statement's figures

    def rows(
        self,
        scans: Sequence[Scan],
        indexname: str,
        plan: Plan,
        args: tuple[Any, ...],
        now: Callable[[], Iterator[Row]],
    ) -> Iterator[Row] | None:
        """This Filter's rows when the call is bound to an outer scan; None otherwise.

        ``now`` reads them in this thread, as an unbound Filter does, when no read ahead has them.
        """
        window_max = self.ctx.max_concurrency - 1
        binding = _bind(scans, plan, args)
        if binding is None:
            self.last, self.streak = None, 0
            if self.ahead is not None:
                self.ahead.keep_only(set())
            return None
        outer, bound = binding
        here = (id(outer), outer.gen, outer.seq)
        last = self.last
        # consecutive: the outer row right after the last one, or the first of the outer scan's next run
        dense = (
            last is not None
            and last[0] == here[0]
            and ((last[1] == here[1] and here[2] == last[2] + 1) or (last[1] != here[1] and here[2] == 1))
        )
        self.streak = self.streak + 1 if dense else 0
        self.last = here
        owner = self._owner(plan, args)
        key = cache_key(indexname, args)
        taken = self.ahead.take(key) if self.ahead is not None else None
        if window_max > 0:
            self._plan_ahead(outer, bound, indexname, plan, args, window_max)
        self._report()
        rows = taken if taken is not None else now()
        if owner is None:
            return rows
        return self._owner_rule(rows, owner)

    def _plan_ahead(
        self,
        outer: Scan,
        bound: dict[int, int],
        indexname: str,
        plan: Plan,
        args: tuple[Any, ...],
        window_max: int,
    ) -> None:
        window = min(window_max, 2 ** (self.streak - 1)) if self.streak else 0
        if window == 0 and not (self.ahead and self.ahead.jobs):
            return
        columns = list(bound.values())
        upcoming = outer.upcoming(window_max, columns)
        keyed: list[tuple[str, tuple[Any, ...]]] = []
        for values in upcoming:
            changed = list(args)
            for (argv, _c), v in zip(bound.items(), values, strict=True):
                changed[argv] = v
            keyed.append((cache_key(indexname, tuple(changed)), tuple(changed)))
        if self.ahead is None:
            room = _room(self.spec, self.ctx, plan)
            self.ahead = Readahead(window_max, room, self.budget)
        # reads for rows the outer scan has passed will never be asked for
        self.ahead.keep_only({k for k, _ in keyed})
        for key, given in keyed[:window]:
            owner = self._owner(plan, given) or ""
            if not self.ahead.start(key, owner, _reader(self.read, plan, given)):
                break

    def _owner(self, plan: Plan, args: tuple[Any, ...]) -> str | None:
        """The mailbox/drive owner a per-user Filter reads (its UserId value), for caps and OwnerErrors."""
        if not self.spec.per_user:
            return None
        for t in plan.terms:
            if t.role == "route" and not t.is_in and self.spec.columns[t.column].kind == "scope":
                value = args[t.argv]
                return str(value) if value is not None else None
        return None

    def _owner_rule(self, rows: Iterator[Row], owner: str) -> Iterator[Row]:
        try:
            yield from rows
        except Error as exc:
            if not is_owner_failure(exc):
                raise
            if self.ctx.owner_errors == "skip":
                self.ctx.report_skip(OwnerSkip(owner, exc))
                return
            raise owner_error(owner, self.spec.name, exc) from exc

    def close(self) -> None:
        """Cancel what was read ahead and not asked for; wait for the workers."""
        if self.ahead is not None:
            self.ahead.close()
            self._report()
            self.ahead = None
            self.reported = (0, 0)
        self.last, self.streak = None, 0

    def _report(self) -> None:
        """Add the reads started and wasted since the last report to the statement's figures."""
        if self.ahead is None:
            return
        started, wasted = self.ahead.started, self.ahead.wasted
        if self.ctx.meter is not None:
            self.ctx.meter.read_ahead(started - self.reported[0], wasted - self.reported[1])
        self.reported = (started, wasted)


def _reader(
    read: Callable[[Plan, tuple[Any, ...]], Iterator[Row]], plan: Plan, args: tuple[Any, ...]
) -> Callable[[], Iterator[Row]]:
    def rows() -> Iterator[Row]:
        return read(plan, args)

    return rows


def _room(spec: TableSpec, ctx: EngineContext, plan: Plan) -> int:
    """Rows one read ahead may hold: one page, as the multi-owner scheduler sizes it."""
    page = min(ctx.page_size, spec.max_page or ctx.page_size)
    return fan_out_page(page, ctx.max_concurrency, len(plan.columns))


def join_note(spec: TableSpec, plan: Plan, ctx: EngineContext) -> str | None:
    """explain()'s word on an inner scan whose routing values may come from outer rows, or None."""
    routes = [spec.columns[t.column].name for t in plan.terms if t.role == "route" and not t.is_in]
    ahead = ctx.max_concurrency - 1
    if not routes or ahead <= 0 or ctx.offline:
        return None
    per_owner = f", at most {MAILBOX_CONCURRENCY - 1} of one mailbox" if spec.per_user else ""
    verb = "come" if len(routes) > 1 else "comes"
    return (
        f"once per row of the outer loop; when {' and '.join(routes)} {verb} from the columns of an outer "
        f"Office 365 table (a join on its id), the reads of the next outer rows run side by side: up to "
        f"{ahead} ahead{per_owner}, the window growing while consecutive outer rows reach this table"
    )
