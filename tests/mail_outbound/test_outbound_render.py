"""What our notification e-mails say: subject, official wording, amount, next step, digest."""

from __future__ import annotations

from datetime import date

import pytest

from bot.i18n import translator
from bot.mail.render import (
    REMINDER,
    STATUS_CHANGED,
    MailContent,
    Notification,
    RequestDetails,
    UnknownTopic,
    render_notification,
)
from bot.outbox.chat import chat_text
from core.campaign import Campaign
from core.information_requests import DocumentKind
from storage.outbox import StatusChange

REF = "A1B2C3D4E5F6"
OTHER_REF = "0123456789AB"
DUE = date(2026, 6, 29)


def info_required(serial: str = "3012345678", reference: str = REF) -> StatusChange:
    return StatusChange(registration_id=1, serial=serial, product_code="STP-SE",
                        from_status=None, to_status="info_required", amount_cents=10000,
                        reason="audit_sample", due_on=DUE, reference=reference)


def pending(serial: str = "3012345679") -> StatusChange:
    return StatusChange(registration_id=2, serial=serial, product_code="STP-SE",
                        from_status=None, to_status="pending_payment", amount_cents=10000)


def rejected(serial: str = "3012345680", detail: str = "invoice illegible") -> StatusChange:
    return StatusChange(registration_id=3, serial=serial, product_code="STP-SE",
                        from_status="under_review", to_status="ineligible", amount_cents=10000,
                        reason="rejected_after_review", detail=detail)


REQUESTS = {REF: RequestDetails(REF, (DocumentKind.INVOICE,)),
            OTHER_REF: RequestDetails(OTHER_REF, (DocumentKind.COMMISSIONING_PROTOCOL,))}


def render(campaign: Campaign, language: str, *changes: StatusChange,
           topic: str = STATUS_CHANGED) -> MailContent:
    return render_notification(Notification(topic=topic, language=language, campaign=campaign,
                                            changes=list(changes), requests=REQUESTS),
                               translator(language))


def test_a_single_change_names_the_serial_and_the_official_status_in_french(
        fr_campaign: Campaign) -> None:
    mail = render(fr_campaign, "fr", pending())
    assert "3012345679" in mail.subject
    assert "Enregistrement terminé, paiement en attente" in mail.subject
    assert "100,00\xa0€" in mail.text
    assert mail.reference is None


def test_a_single_change_reads_in_italian_with_the_flyers_wording(
        it_campaign: Campaign) -> None:
    mail = render(it_campaign, "it", pending())
    assert "Dispositivo registrato, pagamento aperto" in mail.subject
    assert "Dispositivo registrato, pagamento aperto" in mail.text
    assert '<html lang="it">' in mail.html


def test_an_information_request_says_what_to_send_by_when_with_its_reference(
        fr_campaign: Campaign) -> None:
    mail = render(fr_campaign, "fr", info_required())
    assert mail.subject.endswith(f"[CB-{REF}]")
    assert mail.reference == REF
    assert "Informations supplémentaires nécessaires" in mail.text
    assert "facture" in mail.text
    assert "29/06/2026" in mail.text
    assert f"[CB-{REF}]" in mail.text
    assert "PDF, JPEG" in mail.text  # the next step: reply with the documents


def test_a_rejection_gives_the_operators_reason(fr_campaign: Campaign) -> None:
    mail = render(fr_campaign, "fr", rejected())
    assert "Enregistrement impossible" in mail.subject
    assert "invoice illegible" in mail.text


def test_everything_in_the_html_part_is_escaped(fr_campaign: Campaign) -> None:
    mail = render(fr_campaign, "fr", rejected(detail='<script>alert("x")</script> & co'))
    assert "<script>" not in mail.html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co" in mail.html
    assert '<script>alert("x")</script> & co' in mail.text


def test_many_changes_are_one_digest_with_a_table_and_totals(fr_campaign: Campaign) -> None:
    changes = [pending(str(3_100_000_000 + n)) for n in range(12)]
    mail = render(fr_campaign, "en", *changes)
    assert mail.subject == "12 devices: status update"
    assert mail.html.count("<tr>") == 13  # header and one row per device
    assert "Registration complete, payment pending: 12 devices, €1,200.00" in mail.text
    assert all(change.serial in mail.text for change in changes)


def test_a_digest_about_exactly_one_request_carries_its_tag(fr_campaign: Campaign) -> None:
    mail = render(fr_campaign, "fr", pending(), info_required(), rejected())
    assert mail.subject.endswith(f"[CB-{REF}]")
    assert mail.reference == REF


def test_a_digest_about_several_requests_asks_for_one_reply_per_device(
        fr_campaign: Campaign) -> None:
    mail = render(fr_campaign, "en", info_required(), info_required("3012345681", OTHER_REF))
    assert "[CB-" not in mail.subject
    assert mail.reference is None
    assert "once per device" in mail.text
    assert "commissioning protocol" in mail.text
    assert "invoice" in mail.text


def test_a_reminder_says_documents_are_due_on_the_day(fr_campaign: Campaign) -> None:
    mail = render(fr_campaign, "en", info_required(), topic=REMINDER)
    assert mail.subject == f"Reminder: documents due on 29/06/2026 for serial number " \
                           f"3012345678 [CB-{REF}]"
    assert "not yet received" in mail.text


def test_a_reminder_for_several_devices_names_the_earliest_due_day(
        fr_campaign: Campaign) -> None:
    later = info_required("3012345681", OTHER_REF)._replace(due_on=date(2026, 7, 3))
    mail = render(fr_campaign, "en", later, info_required(), topic=REMINDER)
    assert mail.subject == "Reminder: documents due on 29/06/2026 for 2 devices"


def test_an_unknown_topic_is_refused(fr_campaign: Campaign) -> None:
    with pytest.raises(UnknownTopic):
        render(fr_campaign, "fr", pending(), topic="newsletter")


def test_the_chat_text_of_a_digest_stays_short(fr_campaign: Campaign) -> None:
    changes = [pending(str(3_100_000_000 + n)) for n in range(500)]
    changes += [info_required(str(3_200_000_000 + n), f"{n:012d}") for n in range(40)]
    text = chat_text(Notification(topic=STATUS_CHANGED, language="fr", campaign=fr_campaign,
                                  changes=changes, requests={}), translator("fr"))
    assert len(text) < 4096
    assert "540" in text.splitlines()[0]
