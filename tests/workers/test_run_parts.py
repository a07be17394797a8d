"""``cashback run --only``: which parts run, and a clear refusal of a part that does not exist."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import build_parser, main
from bot.i18n import translator
from bot.parts import PARTS, chosen_parts


def parts(*argv: str) -> frozenset[str]:
    args = build_parser(translator("en")).parse_args(["run", *argv])
    return chosen_parts(args.only)


def test_without_only_every_part_runs() -> None:
    assert parts() == frozenset(PARTS)


def test_only_takes_a_comma_list_and_may_be_repeated() -> None:
    assert parts("--only", "bot") == {"bot"}
    assert parts("--only", "bot, Jobs") == {"bot", "jobs"}
    assert parts("--only", "mail", "--only", "outbox,jobs") == {"mail", "outbox", "jobs"}


@pytest.mark.parametrize(("language", "expected"), [
    ("fr", "choisissez parmi bot, mail, outbox, jobs"),
    ("it", "scegliere tra bot, mail, outbox, jobs"),
])
def test_an_unknown_part_is_refused_in_the_operators_language(
        capsys: pytest.CaptureFixture[str], language: str, expected: str) -> None:
    with pytest.raises(SystemExit) as stopped:
        build_parser(translator(language)).parse_args(["run", "--only", "bot,fax"])
    assert stopped.value.code == 2
    assert expected in capsys.readouterr().err


def test_run_once_with_only_runs_just_those_parts(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("DATABASE_URL", "CASHBACK_DATABASE_URL", "TELEGRAM_BOT_TOKEN",
                 "CASHBACK_TELEGRAM_BOT_TOKEN", "CASHBACK_IMAP_HOST", "CASHBACK_SMTP_HOST"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CASHBACK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)

    assert main(["run", "--once", "--only", "jobs,mail", "--lang", "fr"]) == 0

    out = capsys.readouterr().out
    assert "Parties lancées : mail, jobs." in out
    assert "CASHBACK_IMAP_HOST" in out  # asked to read mail, with no mailbox to read
    assert "SMTP" not in out  # the outbox did not start
