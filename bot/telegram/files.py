"""Files users send: what Telegram says about them before download, and the download itself.

The size Telegram reports is checked before anything is downloaded (bots cannot download
more than 20 MB, and we accept less); what a file *is* is decided from its bytes afterwards.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from telegram import Bot, Message

TEMPLATE_SUFFIXES = (".xlsx", ".xlsm", ".csv")


@dataclass(frozen=True)
class IncomingFile:
    """A document or photo in a message, as Telegram describes it."""

    file_id: str
    name: str
    size: int | None
    photo: bool = False

    @property
    def template_like(self) -> bool:
        """Named like a bulk template upload (.xlsx, .xlsm, .csv)."""
        return self.name.lower().endswith(TEMPLATE_SUFFIXES)

    def as_data(self) -> dict[str, Any]:
        """For the conversation state."""
        return asdict(self)

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> IncomingFile:
        """Back from the conversation state."""
        return cls(str(data["file_id"]), str(data["name"]), data.get("size"),
                   bool(data.get("photo")))


def incoming_file(message: Message | None) -> IncomingFile | None:
    """The file a message carries: a document, or the largest size of a photo."""
    if message is None:
        return None
    if message.document is not None:
        document = message.document
        return IncomingFile(document.file_id, document.file_name or "document",
                            document.file_size)
    if message.photo:
        largest = message.photo[-1]
        return IncomingFile(largest.file_id, f"photo-{largest.file_unique_id}.jpg",
                            largest.file_size, photo=True)
    return None


async def download(bot: Bot, incoming: IncomingFile) -> bytes:
    """The file's bytes (only call after checking its size)."""
    file = await bot.get_file(incoming.file_id)
    return bytes(await file.download_as_bytearray())
