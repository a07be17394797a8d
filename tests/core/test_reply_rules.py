"""The rules for one e-mail reply: automatic mail is never answered, the sender's budget, the
request, the sender's address, then the files decide."""

from __future__ import annotations

import dataclasses

import pytest

from core.replies import (
    MessageKind,
    ReplyFacts,
    ReplyProblem,
    decide,
    reply_problem_text,
    sender_is_registered,
)

LIMIT = 30
GOOD = ReplyFacts(kind=MessageKind.PERSONAL, sent_this_hour=0, told_rate_limited=False,
                  requests_found=True, sender_registered=True, requests_waiting=True,
                  attachment_problem=None)


def facts(**changes: object) -> ReplyFacts:
    return dataclasses.replace(GOOD, **changes)  # type: ignore[arg-type]


def test_a_reply_from_the_company_with_documents_for_a_waiting_request_is_accepted() -> None:
    decision = decide(GOOD, hourly_limit=LIMIT)

    assert decision is not None
    assert (decision.accepted, decision.problem, decision.answer) == (True, None, False)


@pytest.mark.parametrize("kind", [MessageKind.AUTO_REPLY, MessageKind.BOUNCE, MessageKind.LIST])
def test_automatic_messages_are_ignored_and_never_answered_even_with_documents(
        kind: MessageKind) -> None:
    assert decide(facts(kind=kind, requests_found=False, sender_registered=False),
                  hourly_limit=LIMIT) is None


def test_a_sender_over_the_hourly_limit_is_refused_and_told_once() -> None:
    first = decide(facts(sent_this_hour=LIMIT), hourly_limit=LIMIT)
    later = decide(facts(sent_this_hour=LIMIT + 5, told_rate_limited=True), hourly_limit=LIMIT)

    assert first is not None
    assert later is not None
    assert (first.problem, first.answer) == (ReplyProblem.RATE_LIMITED, True)
    assert (later.problem, later.answer) == (ReplyProblem.RATE_LIMITED, False)


def test_the_last_message_within_the_hourly_limit_is_still_handled() -> None:
    decision = decide(facts(sent_this_hour=LIMIT - 1), hourly_limit=LIMIT)

    assert decision is not None
    assert decision.accepted


def test_a_reply_naming_no_known_request_is_refused_with_an_answer() -> None:
    decision = decide(facts(requests_found=False), hourly_limit=LIMIT)

    assert decision is not None
    assert (decision.problem, decision.answer) == (ReplyProblem.UNKNOWN_REFERENCE, True)


def test_a_reply_from_an_address_the_company_did_not_register_is_refused() -> None:
    decision = decide(facts(sender_registered=False), hourly_limit=LIMIT)

    assert decision is not None
    assert decision.problem is ReplyProblem.STRANGER


def test_a_reply_to_a_request_no_longer_waiting_changes_nothing() -> None:
    decision = decide(facts(requests_waiting=False), hourly_limit=LIMIT)

    assert decision is not None
    assert decision.problem is ReplyProblem.NOT_WAITING


@pytest.mark.parametrize("problem", [ReplyProblem.NO_DOCUMENT, ReplyProblem.WRONG_TYPE,
                                     ReplyProblem.TOO_BIG, ReplyProblem.TOO_MANY])
def test_a_file_problem_refuses_the_reply_with_its_reason(problem: ReplyProblem) -> None:
    decision = decide(facts(attachment_problem=problem), hourly_limit=LIMIT)

    assert decision is not None
    assert (decision.problem, decision.answer) == (problem, True)


def test_the_stranger_check_comes_before_the_files() -> None:
    decision = decide(facts(sender_registered=False, attachment_problem=ReplyProblem.TOO_BIG),
                      hourly_limit=LIMIT)

    assert decision is not None
    assert decision.problem is ReplyProblem.STRANGER


def test_sender_addresses_compare_without_case_or_angle_brackets() -> None:
    registered = {"Office@Installer.example"}

    assert sender_is_registered("<office@installer.EXAMPLE>", registered)
    assert not sender_is_registered("office@installer.example.evil", registered)
    assert not sender_is_registered("", registered)


class English:
    def gettext(self, message: str, /) -> str:
        return message

    def ngettext(self, singular: str, plural: str, n: int, /) -> str:
        return singular if n == 1 else plural


@pytest.mark.parametrize("problem", list(ReplyProblem))
def test_every_problem_has_an_explanation_with_its_details(problem: ReplyProblem) -> None:
    text = reply_problem_text(problem, English(), "en", sender="x@y.example", files=["a.pdf"],
                              max_attachment_bytes=15 * 1024 * 1024, max_attachments=10)

    assert text
    assert "%(" not in text


def test_limits_are_written_for_the_readers_locale() -> None:
    text = reply_problem_text(ReplyProblem.TOO_BIG, English(), "fr", files=["scan.pdf"],
                              max_attachment_bytes=int(2.5 * 1024 * 1024))

    assert "(scan.pdf)" in text
    assert "2,5 MB" in text


def test_a_message_too_big_to_download_has_its_own_explanation() -> None:
    text = reply_problem_text(ReplyProblem.TOO_BIG, English(), "it",
                              max_attachment_bytes=15 * 1024 * 1024)

    assert text.startswith("Your e-mail is too large")
    assert "15 MB" in text
