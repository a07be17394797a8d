"""The installers of the load test: what each one sends, and what a correct answer is.

One step = one update sent to the local Bot API server and every message the bot must send
for it (one for ``/status`` and a registration; for a new template the progress message, its
edit into the summary and the result workbook; for a repeated template the progress message
and its edit into "already processed"), with the time until the last one arrived.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field
from time import perf_counter

from benchmarks.chat_inbox import Inbox
from bot.i18n import translator
from core.eligibility import IneligibilityReason
from core.i18n import number
from core.statuses import Status
from core.wording import REASONS, status_name
from sandbox.botapi.world import JSON, BotOutput, World

STEP_TIMEOUT_SECONDS = 60.0
TEMPLATE_ROWS = 5
# Cumulative shares of the mix: /status, registration, new template, the same template again.
MIX = (("status", 0.70), ("register", 0.90), ("template", 0.97), ("template_again", 1.0))
REPEATED_SERIAL_SHARE = 0.1
CSV_HEADER = "Numéro de série;Produit;Date d'installation\r\n"


@dataclass
class Installer:
    """One simulated chat user, their company and the devices they may still register."""

    user_id: int
    company_name: str
    pool: list[str]
    company_serials: list[str]  # registered before the test: repeating one must be refused
    registered: list[str] = field(default_factory=list)
    files: list[tuple[str, bytes]] = field(default_factory=list)


@dataclass(frozen=True)
class Outcome:
    """One step: its kind, how long the answer took, and what was wrong (empty: nothing)."""

    kind: str
    seconds: float
    problem: str = ""


class Scenario:
    """Sends each installer's next message and checks the answer, in French."""

    def __init__(self, world: World, inbox: Inbox) -> None:
        self.world = world
        self.inbox = inbox
        t = self.t = translator("fr")
        self.verdicts = (status_name(Status.PENDING_PAYMENT, t),
                         status_name(Status.INFO_REQUIRED, t))
        self.already_processed = t.gettext(
            "This file was already processed on %(date)s at %(time)s; nothing was "
            "registered twice.").split("%(date)s")[0]

    async def step(self, installer: Installer, rng: random.Random) -> Outcome:
        """One message of the mix, answered and checked."""
        draw = rng.random()
        kind = next(name for name, upper in MIX if draw < upper)
        if kind == "template_again" and not installer.files:
            kind = "template"
        if kind in ("register", "template") and len(installer.pool) < TEMPLATE_ROWS:
            kind = "status"
        started = perf_counter()
        try:
            problem = await asyncio.wait_for(self._act(kind, installer, rng),
                                             STEP_TIMEOUT_SECONDS)
        except TimeoutError:
            problem = "no complete answer"
        return Outcome(kind, perf_counter() - started, problem)

    async def _act(self, kind: str, installer: Installer, rng: random.Random) -> str:
        if kind == "status":
            [answer] = await self._send(installer, 1, text="/status")
            return _expect(answer, "sendMessage", f"📊 {installer.company_name}")
        if kind == "register":
            return await self._register(installer, rng)
        if kind == "template_again":
            name, content = rng.choice(installer.files)
            progress, summary = await self._send(installer, 2, document=self._file(name,
                                                                                   content))
            return _expect(summary, "editMessageText", self.already_processed)
        serials = [installer.pool.pop() for _ in range(TEMPLATE_ROWS)]
        name = f"appareils-{installer.user_id}-{len(installer.files) + 1}.csv"
        content = (CSV_HEADER + "".join(f"{s};Sunny Tripower Smart Energy;01/06/2026\r\n"
                                        for s in serials)).encode()
        installer.files.append((name, content))
        installer.registered += serials
        _, summary, workbook = await self._send(installer, 3, document=self._file(name, content))
        read = self.t.ngettext("%(file)s: %(count)s row read.", "%(file)s: %(count)s rows read.",
                               TEMPLATE_ROWS) % {"file": name,
                                                 "count": number(TEMPLATE_ROWS, "fr")}
        return (_expect(summary, "editMessageText", read)
                or _expect(workbook, "sendDocument", ""))

    async def _register(self, installer: Installer, rng: random.Random) -> str:
        if rng.random() < REPEATED_SERIAL_SHARE:
            serial = rng.choice(installer.company_serials)
            [answer] = await self._send(installer, 1, text=f"{serial} STP-SE 01/06/2026")
            refused = self.t.gettext(REASONS[IneligibilityReason.ALREADY_REGISTERED_BY_COMPANY])
            return _expect(answer, "sendMessage", "", refused % {"serial": serial})
        serial = installer.pool.pop()
        installer.registered.append(serial)
        [answer] = await self._send(installer, 1, text=f"{serial} STP-SE 01/06/2026")
        problem = _expect(answer, "sendMessage", f"{serial} – ")
        text = str(answer.message.get("text"))
        return problem or ("" if any(v in text for v in self.verdicts) else f"verdict? {text!r}")

    def _file(self, name: str, content: bytes) -> JSON:
        stored = self.world.store_file(content, "documents", name)
        return {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                "file_name": name, "mime_type": "text/csv", "file_size": stored.size}

    async def _send(self, installer: Installer, answers: int, **content: object,
                    ) -> list[BotOutput]:
        chat = installer.user_id
        before = self.inbox.count(chat)
        message = self.world.user_message(self.world.users[chat], self.world.chats[chat],
                                          **content)
        await self.world.push("message", message)
        return (await self.inbox.wait(chat, before + answers))[before:before + answers]


def _expect(output: BotOutput, method: str, starts: str, contains: str = "") -> str:
    """Empty when ``output`` is the expected kind of message with the expected text."""
    text = str(output.message.get("text") or output.message.get("caption") or "")
    if output.method != method or not text.startswith(starts) or contains not in text:
        return f"{output.method} {text[:160]!r}, expected {method} {starts or contains!r}"
    return ""
