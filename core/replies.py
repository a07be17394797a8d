"""E-mail replies to information requests: what can be wrong with one, and what follows.

The rules of SPEC "Information requests and documents" and "Security" for one incoming
message, decided without I/O: the caller gathers the facts (what kind of message it is, how
many the sender sent this hour, which requests it names, whose address sent it, what the
attachments were), :func:`decide` says whether the documents count and whether the company
gets an answer. The answer's words live here too, so the e-mail renderer and the operator
see the same reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from core.i18n import N_, Translator, number


class MessageKind(StrEnum):
    """What an incoming message is, before anything else is looked at."""

    PERSONAL = "personal"
    AUTO_REPLY = "auto_reply"  # out of office, vacation, "Automatic reply" (RFC 3834)
    BOUNCE = "bounce"  # delivery failure or read receipt (multipart/report)
    LIST = "list"  # mailing list or bulk mail (List-Id, Precedence: list/bulk)


class ReplyProblem(StrEnum):
    """Why a reply changed nothing; each has its own explanation for the company."""

    UNKNOWN_REFERENCE = "unknown_reference"
    STRANGER = "stranger"
    NOT_WAITING = "not_waiting"
    NO_DOCUMENT = "no_document"
    WRONG_TYPE = "wrong_type"
    TOO_BIG = "too_big"
    TOO_MANY = "too_many"
    RATE_LIMITED = "rate_limited"


@dataclass(frozen=True)
class ReplyKeys:
    """The carriers of a reference found in one message, in the order they are trusted.

    ``outbox_ids`` come from our own signed Message-IDs (In-Reply-To/References) and are
    already verified; ``address_references`` from plus-addresses we gave out;
    ``subject_reference`` from the subject tag.
    """

    outbox_ids: tuple[int, ...] = ()
    address_references: tuple[str, ...] = ()
    subject_reference: str | None = None


@dataclass(frozen=True)
class ReplyFacts:
    """Everything :func:`decide` needs about one message, gathered by the caller."""

    kind: MessageKind
    sent_this_hour: int
    told_rate_limited: bool
    requests_found: bool
    sender_registered: bool
    requests_waiting: bool
    attachment_problem: ReplyProblem | None


@dataclass(frozen=True)
class Decision:
    """Use the documents (``problem`` is None), or refuse them and maybe say why."""

    problem: ReplyProblem | None
    answer: bool

    @property
    def accepted(self) -> bool:
        """The documents count: registrations go under review."""
        return self.problem is None


def decide(facts: ReplyFacts, *, hourly_limit: int) -> Decision | None:
    """The fate of one message; None for an automatic message, which is never answered.

    The order matters: automatic messages are dropped first (answering them starts mail
    loops), then the sender's hourly budget (a flood must cost us nothing more, and is told
    once), then which request and whose address (SPEC "Security": only ``From`` counts),
    and only then the attachments.
    """
    if facts.kind is not MessageKind.PERSONAL:
        return None
    if facts.sent_this_hour >= hourly_limit:
        return Decision(ReplyProblem.RATE_LIMITED, answer=not facts.told_rate_limited)
    if not facts.requests_found:
        return Decision(ReplyProblem.UNKNOWN_REFERENCE, answer=True)
    if not facts.sender_registered:
        return Decision(ReplyProblem.STRANGER, answer=True)
    if not facts.requests_waiting:
        return Decision(ReplyProblem.NOT_WAITING, answer=True)
    if facts.attachment_problem is not None:
        return Decision(facts.attachment_problem, answer=True)
    return Decision(problem=None, answer=False)


def normalise_address(address: str) -> str:
    """Addresses compare case-insensitively (in practice, the local part too)."""
    return address.strip().strip("<>").lower()


def sender_is_registered(sender: str, registered: set[str] | frozenset[str]) -> bool:
    """Whether the ``From`` address is one of the company's registered addresses."""
    return bool(sender) and normalise_address(sender) in {normalise_address(a)
                                                            for a in registered}


_EXPLANATIONS = {
    ReplyProblem.UNKNOWN_REFERENCE: N_(
        "We could not tell which information request your e-mail answers. Please reply "
        "directly to our e-mail asking for documents, keeping the reference in the subject."),
    ReplyProblem.STRANGER: N_(
        "We received documents for your information request from %(sender)s, which is not one "
        "of your company's registered addresses, so they were not accepted. Please reply from a "
        "registered address, or ask us to register this one."),
    ReplyProblem.NOT_WAITING: N_(
        "The information request your e-mail answers is no longer waiting for documents (they "
        "already arrived, or the deadline has passed), so nothing was changed."),
    ReplyProblem.NO_DOCUMENT: N_(
        "Your e-mail did not contain any document we could use. Please reply again with the "
        "documents attached as PDF, JPEG or PNG files."),
    ReplyProblem.WRONG_TYPE: N_(
        "The attached files (%(files)s) are not PDF, JPEG or PNG documents, so they were not "
        "accepted. Please send them again as PDF, JPEG or PNG files."),
    ReplyProblem.TOO_BIG: N_(
        "A file is too large (%(files)s); the limit is %(limit)s per file. Please send a "
        "smaller file, for example a scan at a lower resolution."),
    ReplyProblem.TOO_MANY: N_(
        "Your e-mail carried too many files; the limit is %(count)s per e-mail. Please send them "
        "in several e-mails."),
    ReplyProblem.RATE_LIMITED: N_(
        "We received too many e-mails from %(sender)s within an hour, so this one and the next "
        "ones this hour were not processed. Please send the documents again in an hour."),
}

HEADLINE = N_("Your e-mail could not be processed")
_WHOLE_MESSAGE_TOO_BIG = N_(
    "Your e-mail is too large for us to process; the limit is %(limit)s per file. Please send "
    "the documents in several e-mails, or smaller files.")


def reply_problem_text(problem: ReplyProblem, t: Translator, language: str, *,
                       sender: str = "", files: Sequence[str] = (),
                       max_attachment_bytes: int = 0, max_attachments: int = 0) -> str:
    """The explanation and next step for one problem, in the reader's language.

    The arguments are the ``reply_rejected`` outbox payload's fields of the same names.
    """
    message = _EXPLANATIONS[problem]
    if problem is ReplyProblem.TOO_BIG and not files:
        message = _WHOLE_MESSAGE_TOO_BIG
    megabytes = Decimal(max_attachment_bytes) / (1024 * 1024)
    return t.gettext(message) % {
        "sender": sender, "files": ", ".join(files) or "-",
        "limit": f"{number(megabytes.quantize(Decimal('0.1')).normalize(), language)} MB",
        "count": number(max_attachments, language)}
