"""The conventions of a first-class CLI, through the real process and the parser."""

from __future__ import annotations

import argparse

import pytest

from minimax_async import __version__
from minimax_async.cli._parser import build_parser
from minimax_async.cli._progress import cell_width
from tests.cli._helpers import run_process


def _commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    found = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found[f"{parser.prog.removeprefix('minimax-async').strip()} {name}".strip()] = sub
                found.update(_commands(sub))
    return found


def test_version() -> None:
    done = run_process("--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"minimax-async {__version__}"


def test_every_argument_and_option_has_help() -> None:
    for name, parser in _commands(build_parser(__version__)).items():
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction) or name == "emulator":
                continue
            assert action.help, (name, action.dest)
            assert action.help != argparse.SUPPRESS, (name, action.dest)


def test_options_sit_only_on_the_commands_they_apply_to() -> None:
    commands = _commands(build_parser(__version__))

    def flags(name: str) -> set[str]:
        return {flag for action in commands[name]._actions for flag in action.option_strings}

    waiting = {"--timeout", "--poll", "--poll-interval", "--callback-public-url"}
    for name in ("generate", "batch", "template run", "wait"):
        assert waiting <= flags(name), name
    for name in ("status", "download", "template list"):
        assert not waiting & flags(name), name
    assert "--rpm" in flags("batch")
    assert "--rpm" not in flags("generate")


@pytest.mark.parametrize(
    ("argv", "hint"),
    [
        (["generate", "--duration", "x"], "minimax-async generate --help"),
        (["generate", "--rpm", "5"], "minimax-async generate --help"),
        (["status"], "minimax-async status --help"),
        (["template"], "minimax-async template --help"),
        (["batch", "jobs.jsonl"], "minimax-async batch --help"),
    ],
)
def test_a_usage_error_is_one_line_and_a_hint(argv: list[str], hint: str) -> None:
    done = run_process(*argv)
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert len(lines) == 2, done.stderr  # not the whole usage block
    assert ": error: " in lines[0]
    assert lines[1] == f"hint: see '{hint}'"


def test_help_loads_neither_the_client_nor_aiohttp() -> None:
    done = run_process("--help")  # as a user types it; then what it imported:
    assert done.returncode == 0
    assert "batch" in done.stdout
    assert "wait" in done.stdout
    probe = run_process("-X", "importtime", "-m", "minimax_async", "--help", python=True)
    imported = {line.rsplit("|", 1)[-1].strip() for line in probe.stderr.splitlines()}
    assert "minimax_async.cli._parser" in imported
    assert not {"aiohttp", "pydantic", "minimax_async._client"} & imported


def test_template_list_aligns_cjk_names() -> None:
    done = run_process("template", "list", "--region", "cn")
    assert done.returncode == 0, done.stderr
    rows = done.stdout.splitlines()[1:]
    assert any(any("\u4e00" <= c <= "\u9fff" for c in row) for row in rows)  # CJK names
    starts = {cell_width(row[: row.index("--")]) for row in rows}
    assert len(starts) == 1, rows  # the REQUIRED INPUTS column starts at one cell
