"""CLI output without a tenant: fitting columns, the pager, piped shell scripts, the install hint."""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.cells import cell_len

from o365sql.cli import main
from o365sql.cli.formats import FILE_FORMATS, Result, write
from o365sql.cli.output import Output, OutputClosed
from o365sql.cli.render import SAMPLE_ROWS, Screen, draw
from o365sql.cli.shell import PrivateHistory
from o365sql.emulator import Emulator

from .conftest import connection_string, token_for


def _draw(names: list[str], rows: list[tuple[object, ...]], width: int, mode: str = "table") -> list[str]:
    result = Result(names, [None] * len(names), iter(rows))
    return list(draw(result, Screen(width=width), mode))


def test_widest_column_gives_way_first() -> None:
    lines = _draw(["id", "note"], [(1, "x" * 100), (22, "short")], width=40)
    assert [cell_len(line) for line in lines] == [10, 40, 39, 11]  # the last column is not padded
    assert lines[2] == "  1 │ " + "x" * 32 + "…"  # numbers right-aligned, the long cell cut
    assert lines[3].endswith("│ short")


def test_rows_after_the_sample_keep_the_widths() -> None:
    rows = [("a",)] * SAMPLE_ROWS + [("a much longer value than the sample had",)]
    lines = _draw(["cc"], rows, width=80)
    assert lines[-1] == " a…"  # width fixed by the sample (the header's 2): cut, never wider


def test_control_characters_never_reach_the_terminal() -> None:
    (line,) = _draw(["c"], [("red\x1b[31m\nnext\ttab",)], width=80)[2:]
    assert "\x1b" not in line and line == " red\ufffd[31m↵next tab"


def test_line_mode_shows_one_field_per_line() -> None:
    lines = _draw(["name", "value"], [("a", None), ("b", "")], width=30, mode="line")
    assert lines[0].startswith("─[ RECORD 1 ]") and cell_len(lines[0]) == 30
    assert lines[1:3] == ["name  │ a", "value │ <null>"] and lines[5] == "value │ "


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_long_output_on_a_terminal_goes_to_the_pager(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paged = tmp_path / "paged.txt"
    monkeypatch.setenv(
        "PAGER", f"{sys.executable} -c 'import sys; open(sys.argv[1], \"w\").write(sys.stdin.read())' {paged}"
    )
    monkeypatch.setenv("LINES", "10")
    screen = _Terminal()
    with Output(screen) as out:
        out.write("".join(f"line {n}\n" for n in range(3)))
    assert screen.getvalue() == "line 0\nline 1\nline 2\n" and not paged.exists()  # fits: no pager
    with Output(screen) as out:
        for n in range(30):
            out.write(f"row {n}\n")
    assert paged.read_text() == "".join(f"row {n}\n" for n in range(30))
    assert "row" not in screen.getvalue()
    with Output(screen, paging=False) as out:  # --no-pager
        out.write("x\n" * 30)
    assert screen.getvalue().count("x\n") == 30


def test_shell_reads_a_script_from_a_pipe(emulator: Emulator) -> None:
    script = (
        ".mode csv\nSELECT 1 AS a,\n  'two' AS b;\n.bogus\nSELECT nope FROM Contacts;\n.quit\nSELECT 3;\n"
    )
    result = CliRunner().invoke(
        main, ["shell", "-c", connection_string(emulator, token_for(emulator))], input=script
    )
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "a,b",
        "1,two",
        "Unknown command .bogus; .help lists the commands.",
        result.stdout.splitlines()[3],
    ]
    assert result.stdout.splitlines()[3].startswith("Error: no such column: nope")


def test_shell_without_the_extra_says_how_to_install_it(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "prompt_toolkit", None)  # as if it were not installed
    monkeypatch.delitem(sys.modules, "o365sql.cli.shell", raising=False)
    result = CliRunner().invoke(main, ["shell", "-c", connection_string(emulator, token_for(emulator))])
    assert result.exit_code == 1
    assert result.output == "Error: the shell needs the shell extra: pip install 'o365sql[shell]'\n"


class _Recorder:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> int:
        self.text += text
        return len(text)


def _rows_checking_output(sink: _Recorder, count: int, shown_after: int) -> Iterator[tuple[object, ...]]:
    """Rows `row-0000`... that check, when the next is asked for, that the one before is already written."""
    for n in range(count):
        if n > shown_after:
            assert f"row-{n - 1:04d}" in sink.text, f"row {n - 1} not written before row {n} was read"
        yield (n, f"row-{n:04d}")


@pytest.mark.parametrize("fmt", FILE_FORMATS)
def test_file_formats_write_each_row_as_it_is_read(fmt: str) -> None:
    sink = _Recorder()
    count = write(fmt, Result(["n", "label"], [None, None], _rows_checking_output(sink, 5, 0)), sink)
    assert count == 5 and "row-0004" in sink.text


def test_table_rows_after_the_sample_are_drawn_as_they_are_read() -> None:
    sink = _Recorder()
    rows = _rows_checking_output(sink, SAMPLE_ROWS + 5, SAMPLE_ROWS)
    for line in draw(Result(["n", "label"], [None, None], rows), Screen(width=80)):
        sink.write(line + "\n")
    assert f"row-{SAMPLE_ROWS + 4:04d}" in sink.text


def test_history_file_is_private_and_keeps_secrets_out(tmp_path: Path) -> None:
    path = tmp_path / "state" / "history"
    history = PrivateHistory(path)
    history.append_string("SELECT subject FROM Messages;")
    history.append_string("EXEC RefreshOAuthAccessToken OAuthRefreshToken = '0.AXkAsecret'")
    history.append_string("SELECT 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.sig' AS token;")
    text = path.read_text(encoding="utf-8")
    assert "Messages" in text and "secret" not in text and "eyJ" not in text
    assert path.stat().st_mode & 0o777 == 0o600


def test_shell_once_to_a_file_it_cannot_write(emulator: Emulator, tmp_path: Path) -> None:
    script = f".once {tmp_path}/missing/dir/out.csv\nSELECT 1 AS a;\n.mode csv\nSELECT 2 AS b;\n"
    conn = connection_string(emulator, token_for(emulator))
    result = CliRunner().invoke(main, ["shell", "-c", conn], input=script)
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        f"Cannot write {tmp_path}/missing/dir/out.csv: No such file or directory",
        "b",
        "2",
    ]


def test_shell_timer_and_stats(emulator: Emulator) -> None:
    script = ".mode csv\n.timer on\n.stats on\nSELECT count(*) AS n FROM Calendars;\n.timer off\n.stats off\n"
    script += "SELECT 1 AS one;\n.stats\n"
    conn = connection_string(emulator, token_for(emulator))
    lines = CliRunner().invoke(main, ["shell", "-c", conn], input=script).stdout.splitlines()
    assert lines[0] == "n" and int(lines[1]) > 0 and lines[2].startswith("Time: ") and lines[2].endswith(" s")
    assert re.fullmatch(r"Graph: [1-9]\d* requests?, 0 retries, \d+\.\d KiB received", lines[3])
    assert lines[4:] == ["one", "1", "Graph: 0 requests, 0 retries, 0.0 KiB received"]


def test_quitting_the_pager_stops_the_output(monkeypatch: pytest.MonkeyPatch) -> None:
    # a pager that reads one line and quits, as a person pressing q does
    monkeypatch.setenv("PAGER", f"{sys.executable} -c 'import sys; sys.stdin.readline()'")
    monkeypatch.setenv("LINES", "10")
    out = Output(_Terminal())
    with pytest.raises(OutputClosed):
        for n in range(1_000_000):  # far more than any pipe buffer holds
            out.write(f"row {n}\n")
    out.close()  # the pager has ended: nothing to wait for
