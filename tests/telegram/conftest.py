"""The chat channel end to end: the real python-telegram-bot Application talks HTTP to the
local Bot API server (sandbox/botapi), on a real database (SQLite, and PostgreSQL when
TEST_DATABASE_URL is set) seeded with the sandbox's demo companies and devices. Tests act as
Telegram users through :class:`Person`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
from databases import Database
from telegram_support import TOKEN, Clock, start_bot

from bot.bootstrap import App, bootstrap
from bot.sandbox import seed_sandbox
from bot.settings import Settings
from bot.telegram.application import BotApplication
from bot.telegram.serve import stop
from sandbox.botapi.people import Person
from sandbox.botapi.server import BotApiServer
from sandbox.botapi.world import World


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    for name in ("DATABASE_URL", "CASHBACK_DATABASE_URL", "TELEGRAM_BOT_TOKEN",
                 "CASHBACK_TELEGRAM_BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def cashback(settings: Settings, clock: Clock, database: Database) -> Iterator[App]:
    """The assistant on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set."""
    settings.database_url = database.url
    app = bootstrap(settings, clock=clock)
    seed_sandbox(app)
    yield app
    app.engine.dispose()


@pytest.fixture
async def world() -> World:
    return World(token=TOKEN)


@pytest.fixture
async def server(world: World) -> AsyncIterator[BotApiServer]:
    async with BotApiServer(world) as running:
        yield running


@pytest.fixture
async def bot(cashback: App, server: BotApiServer,
              world: World) -> AsyncIterator[BotApplication]:
    application = await start_bot(cashback, server, world)
    yield application
    await stop(application)


@pytest.fixture
def person(world: World, bot: BotApplication) -> Callable[..., Person]:
    """``person("Marie", "fr")``: a Telegram user who has the bot in their contacts."""
    def make(first_name: str = "Marie", language_code: str | None = "fr") -> Person:
        return Person(world, first_name, language_code)
    return make
