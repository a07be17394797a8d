"""The references a reply carries: our signed Message-IDs, plus-addresses, the subject tag."""

from __future__ import annotations

from mail_support import SECRET, corpus, our_message_id

from bot.mail.matching import reply_keys
from bot.mail.parse import parse_message
from bot.mail.references import message_id


def test_a_reply_carries_our_message_id_plus_address_and_subject_tag() -> None:
    keys = reply_keys(parse_message(corpus("outlook_winmail_reply.eml", outbox_id=41)), SECRET)

    assert keys.outbox_ids == (41,)
    assert keys.address_references == ("0A1B2C3D4E5F",)
    assert keys.subject_reference == "0A1B2C3D4E5F"


def test_a_forged_message_id_counts_for_nothing() -> None:
    raw = corpus("unknown_reference.eml")
    forged = raw.replace(b"Message-ID: <unknown", b"References: "
                         + message_id(41, "another-secret-0123456789abcdef0123", "x").encode()
                         + b"\r\nMessage-ID: <unknown")

    keys = reply_keys(parse_message(forged), SECRET)

    assert keys.outbox_ids == ()
    assert keys.subject_reference == "0FFFFFFFFFFF"


def test_a_forwarded_message_is_matched_by_its_plus_address_only() -> None:
    keys = reply_keys(parse_message(corpus("forwarded_rfc822.eml")), SECRET)

    assert (keys.outbox_ids, keys.address_references, keys.subject_reference) == (
        (), ("0A1B2C3D4E5F",), None)


def test_every_message_id_of_the_thread_counts_once() -> None:
    raw = (f"From: office@installer.example\r\nIn-Reply-To: {our_message_id(9)}\r\n"
           f"References: {our_message_id(3)} <other@x> {our_message_id(9)}\r\n\r\nhi\r\n")

    assert reply_keys(parse_message(raw.encode()), SECRET).outbox_ids == (9, 3)


def test_the_plus_address_may_arrive_in_cc_or_delivered_to() -> None:
    raw = (b"From: office@installer.example\r\nTo: someone@installer.example\r\n"
           b"Delivered-To: cashback+ABCDEF012345@cashback.example\r\n\r\nhi\r\n")

    assert reply_keys(parse_message(raw), SECRET).address_references == ("ABCDEF012345",)
