"""E-mails queued by other channels: the answer to an unusable reply, and a chat link code."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.i18n import translator
from bot.mail.answers import LINK_CODE, REPLY_REJECTED
from bot.mail.outbound import MailIdentity, build_message, valid_addresses
from bot.mail.topics import EmailDraft, MailRequest, email_renderers
from bot.outbox.errors import PermanentFailure
from core.campaign import Campaign

REF = "A1B2C3D4E5F6"
THEIR_ID = "<CAF=abc123@mail.gmail.com>"


def draft(campaign: Campaign, topic: str, payload: dict[str, Any],
          language: str = "fr") -> EmailDraft:
    return email_renderers()[topic](MailRequest(
        topic=topic, payload=payload, company_name="Solaire <Dupont> SARL", language=language,
        campaign=campaign, requests={}))


def rejected(**overrides: Any) -> dict[str, Any]:
    return {"reason": "no_document", "message_id": THEIR_ID, "subject": "RE: documents",
            "sender": "office@installer.example", "received_at": "2026-06-16T09:00:00+00:00",
            "references": [REF], "serials": ["3012345678"], "files": [],
            "max_attachment_bytes": 15 * 1024 * 1024, "max_attachments": 10, **overrides}


def test_the_answer_to_an_unusable_reply_is_threaded_under_it(fr_campaign: Campaign) -> None:
    answer = draft(fr_campaign, REPLY_REJECTED, rejected())
    message = build_message(
        content=answer.content, message_id="<cb.9.0123456789abcdef0123@cashback.example>",
        recipients=valid_addresses(["office@installer.example"]),
        identity=MailIdentity("cashback@cashback.example", "cashback@cashback.example",
                              "s" * 40),
        language=answer.language, written_at=datetime(2026, 6, 16, tzinfo=UTC),
        t=translator(answer.language), in_reply_to=answer.in_reply_to)

    assert message["In-Reply-To"] == THEIR_ID
    assert message["References"] == THEIR_ID
    assert message["Subject"].endswith(f"[CB-{REF}]")
    assert message["Reply-To"] == f"cashback+{REF}@cashback.example"
    assert message["Auto-Submitted"] == "auto-generated"
    assert "3012345678" in answer.content.text


def test_an_answer_about_several_requests_carries_no_single_reference(
        fr_campaign: Campaign) -> None:
    answer = draft(fr_campaign, REPLY_REJECTED, rejected(references=[REF, "0123456789AB"]))
    assert answer.content.reference is None
    assert "[CB-" not in answer.content.subject


def test_an_answer_with_an_unknown_reason_is_not_sent(fr_campaign: Campaign) -> None:
    with pytest.raises(PermanentFailure):
        draft(fr_campaign, REPLY_REJECTED, rejected(reason="bored"))


def test_a_link_code_goes_out_in_the_chat_users_language(fr_campaign: Campaign) -> None:
    code = draft(fr_campaign, LINK_CODE, {"code": "482913", "language": "it", "minutes": 15,
                                          "requested_by": "Mario <script>"})
    assert code.language == "it"
    assert "482913" in code.content.text
    assert "482913" not in code.content.subject  # not on a locked phone's screen
    assert "Solaire &lt;Dupont&gt; SARL" in code.content.html
    assert "Mario &lt;script&gt;" in code.content.html
    assert code.in_reply_to is None


def test_a_link_code_without_a_code_is_not_sent(fr_campaign: Campaign) -> None:
    with pytest.raises(PermanentFailure):
        draft(fr_campaign, LINK_CODE, {"language": "fr"})
