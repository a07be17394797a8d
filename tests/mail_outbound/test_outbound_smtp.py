"""Sending through a real SMTP server on loopback: headers, parts, and how failures are sorted."""

from __future__ import annotations

import re
import shutil
import ssl
import subprocess
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest

from bot.i18n import translator
from bot.mail.outbound import MailIdentity, SmtpConfig, SmtpMailer, build_message, valid_addresses
from bot.mail.references import message_id, outbox_ids_in, reference_in_address
from bot.mail.render import STATUS_CHANGED, Notification, RequestDetails, render_notification
from bot.outbox.errors import PermanentFailure, TemporaryFailure
from bot.sandbox_mail import CollectingHandler, LoopbackController
from core.campaign import Campaign
from core.information_requests import DocumentKind
from storage.outbox import StatusChange

SECRET = "test-secret-" + "x" * 32
IDENTITY = MailIdentity(sender="cashback@cashback.example",
                        reply_mailbox="replies@cashback.example", secret=SECRET)
TO = ["office@installer.example", "boss@installer.example"]
REF = "A1B2C3D4E5F6"
WRITTEN = datetime(2026, 6, 15, 8, 0, tzinfo=UTC)


def message(campaign: Campaign, language: str, *, outbox_id: int = 7,
            reference: str | None = REF) -> EmailMessage:
    change = StatusChange(registration_id=1, serial="3012345678", product_code="STP-SE",
                          from_status=None,
                          to_status="info_required" if reference else "pending_payment",
                          amount_cents=10000, reason="audit_sample" if reference else None,
                          due_on=datetime(2026, 6, 29).date() if reference else None,
                          reference=reference)
    t = translator(language)
    content = render_notification(Notification(
        topic=STATUS_CHANGED, language=language, campaign=campaign, changes=[change],
        requests={REF: RequestDetails(REF, (DocumentKind.INVOICE,))}), t)
    return build_message(content=content,
                         message_id=message_id(outbox_id, SECRET, IDENTITY.domain),
                         recipients=valid_addresses(TO), identity=IDENTITY, language=language,
                         written_at=WRITTEN, t=t)


async def send(config: SmtpConfig, mail: EmailMessage, recipients: list[str] = TO) -> list[str]:
    async with SmtpMailer(config, IDENTITY.domain) as mailer:
        return await mailer.send(mail, sender=IDENTITY.sender, recipients=recipients)


async def test_the_received_mail_carries_our_headers(fr_campaign: Campaign,
                                                     smtp_server: LoopbackController,
                                                     smtp_handler: CollectingHandler) -> None:
    assert await send(smtp_server.smtp_config(), message(fr_campaign, "fr")) == []

    [received] = smtp_handler.received
    assert received.sender == IDENTITY.sender
    assert sorted(received.recipients) == sorted(TO)
    mail = received.message
    assert re.fullmatch(r"<cb\.7\.[0-9a-f]{20}@cashback\.example>", mail["Message-ID"])
    assert outbox_ids_in(mail["Message-ID"], SECRET) == [7]
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["Reply-To"] == f"replies+{REF}@cashback.example"
    assert reference_in_address(mail["Reply-To"]) == REF
    assert mail["Subject"].endswith(f"[CB-{REF}]")
    assert mail["Date"] == "Mon, 15 Jun 2026 08:00:00 +0000"
    assert mail["Content-Language"] == "fr"
    assert mail["From"].addresses[0].addr_spec == IDENTITY.sender


async def test_the_mail_is_text_and_html_without_attachments(
        it_campaign: Campaign, smtp_server: LoopbackController,
        smtp_handler: CollectingHandler) -> None:
    await send(smtp_server.smtp_config(), message(it_campaign, "it"))

    mail = smtp_handler.received[0].message
    assert mail.get_content_type() == "multipart/alternative"
    parts = [part.get_content_type() for part in mail.iter_parts()]
    assert parts == ["text/plain", "text/html"]
    assert list(mail.iter_attachments()) == []
    text = mail.get_body(("plain",))
    html = mail.get_body(("html",))
    assert text is not None
    assert html is not None
    assert "Sono richieste maggiori informazioni – Carica file" in text.get_content()
    assert "Sono richieste maggiori informazioni – Carica file" in html.get_content()


async def test_without_a_request_replies_go_to_the_plain_mailbox(
        fr_campaign: Campaign, smtp_server: LoopbackController,
        smtp_handler: CollectingHandler) -> None:
    await send(smtp_server.smtp_config(), message(fr_campaign, "fr", reference=None))

    mail = smtp_handler.received[0].message
    assert mail["Reply-To"] == "replies@cashback.example"
    assert "[CB-" not in mail["Subject"]


async def test_one_refused_recipient_does_not_stop_the_others(
        fr_campaign: Campaign, smtp_server: LoopbackController,
        smtp_handler: CollectingHandler) -> None:
    smtp_handler.refusals[TO[1]] = "550 5.1.1 no such user"

    refused = await send(smtp_server.smtp_config(), message(fr_campaign, "fr"))

    assert refused == [f"{TO[1]}: 550 5.1.1 no such user"]
    assert [r.recipients for r in smtp_handler.received] == [(TO[0],)]


@pytest.mark.parametrize(("reply", "failure"), [
    pytest.param("550 5.1.1 no such user", PermanentFailure, id="550"),
    pytest.param("451 4.3.0 try again later", TemporaryFailure, id="451"),
    pytest.param("421 4.7.0 too busy", TemporaryFailure, id="421"),
])
async def test_every_recipient_refused_is_sorted_by_its_reply_code(
        fr_campaign: Campaign, smtp_server: LoopbackController, smtp_handler: CollectingHandler,
        reply: str, failure: type[Exception]) -> None:
    for address in TO:
        smtp_handler.refusals[address] = reply

    with pytest.raises(failure):
        await send(smtp_server.smtp_config(), message(fr_campaign, "fr"))
    assert smtp_handler.received == []


async def test_a_message_refused_after_data_is_permanent(
        fr_campaign: Campaign, smtp_server: LoopbackController,
        smtp_handler: CollectingHandler) -> None:
    smtp_handler.data_reply = "554 5.6.0 message rejected"

    with pytest.raises(PermanentFailure, match="554"):
        await send(smtp_server.smtp_config(), message(fr_campaign, "fr"))


async def test_a_server_that_is_down_is_a_temporary_failure(
        fr_campaign: Campaign, smtp_server: LoopbackController) -> None:
    config = smtp_server.smtp_config()
    smtp_server.stop()
    try:
        with pytest.raises(TemporaryFailure, match="SMTP unavailable"):
            await send(config, message(fr_campaign, "fr"))
    finally:
        smtp_server.start()


async def test_one_connection_carries_several_messages(
        fr_campaign: Campaign, smtp_server: LoopbackController,
        smtp_handler: CollectingHandler) -> None:
    async with SmtpMailer(smtp_server.smtp_config(), IDENTITY.domain) as mailer:
        for outbox_id in (1, 2, 3):
            await mailer.send(message(fr_campaign, "fr", outbox_id=outbox_id),
                              sender=IDENTITY.sender, recipients=TO)
    assert [outbox_ids_in(r.message["Message-ID"], SECRET) for r in smtp_handler.received] == [
        [1], [2], [3]]


async def test_starttls_is_required_never_skipped(fr_campaign: Campaign,
                                                  smtp_server: LoopbackController) -> None:
    plain = smtp_server.smtp_config()
    config = SmtpConfig(host=plain.host, port=plain.port, security="starttls", timeout=10)
    with pytest.raises(TemporaryFailure):
        await send(config, message(fr_campaign, "fr"))


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


async def test_mail_goes_through_starttls_with_a_verified_certificate(
        fr_campaign: Campaign, certificate: tuple[Path, Path]) -> None:
    cert, key = certificate
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    handler = CollectingHandler()
    controller = LoopbackController(handler, tls_context=server_context, require_starttls=True)
    controller.start()
    try:
        client_context = ssl.create_default_context(cafile=str(cert))
        config = SmtpConfig(host="127.0.0.1", port=controller.port, security="starttls",
                            timeout=10, tls_context=client_context)
        await send(config, message(fr_campaign, "fr"))
        # A client that does not trust the certificate refuses to talk, rather than go plain.
        with pytest.raises(TemporaryFailure):
            await send(SmtpConfig(host="127.0.0.1", port=controller.port,
                                  security="starttls", timeout=10), message(fr_campaign, "fr"))
    finally:
        controller.stop()
    assert len(handler.received) == 1
