"""Campaigns are data: one TOML file each, validated here before anything uses it."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

SUPPORTED_LANGUAGES = ("fr", "it", "en")


class CampaignError(ValueError):
    """One clear message naming the file, the key and the problem."""

    def __init__(self, source: str, key: str, problem: str) -> None:
        self.source = source
        self.key = key
        self.problem = problem
        super().__init__(f"{source}: {key}: {problem}")


@dataclass(frozen=True)
class Product:
    """A product of the campaign and what one unit of it earns."""

    code: str
    names: Mapping[str, str]
    serial_format: re.Pattern[str]
    amount: Decimal
    portal_transfer: bool
    proof_required: bool

    def name(self, language: str) -> str:
        """Display name in ``language``, falling back to English."""
        return self.names.get(language) or self.names["en"]


@dataclass(frozen=True)
class Campaign:
    """Everything that makes one country's campaign different from another."""

    code: str
    country: str
    currency: str
    languages: tuple[str, ...]
    timezone: ZoneInfo
    first_installation_day: date
    last_installation_day: date
    last_registration_day: date
    document_deadline_days: int
    reminder_days_before: tuple[int, ...]
    audit_share: Decimal
    products: Mapping[str, Product]

    @property
    def language(self) -> str:
        """The campaign's main language, used when nobody said otherwise."""
        return self.languages[0]

    def product(self, code: str) -> Product | None:
        """The product with this code, or None if the campaign does not include it."""
        return self.products.get(code)


def parse_campaign_toml(text: str, source: str) -> Campaign:
    """Parse and validate one campaign file's text; ``source`` names it in errors."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CampaignError(source, "(file)", f"not valid TOML: {error}") from error
    return parse_campaign(data, source)


def parse_campaign(data: Mapping[str, Any], source: str) -> Campaign:
    """Validate a campaign given as a mapping (the TOML document)."""
    r = _Reader(data, source, "")
    code = r.text("code", pattern=r"[a-z]{2}-\d{4}")
    languages = tuple(r.list_of_text("languages"))
    for index, language in enumerate(languages):
        if language not in SUPPORTED_LANGUAGES:
            raise CampaignError(source, f"languages[{index}]",
                                f"unsupported language {language!r}; use one of fr, it, en")
    validity = r.table("validity")
    first = validity.day("first_installation_day")
    last = validity.day("last_installation_day")
    last_registration = validity.day("last_registration_day")
    if last < first:
        raise CampaignError(source, "validity.last_installation_day",
                            "is before validity.first_installation_day")
    if last_registration < last:
        raise CampaignError(source, "validity.last_registration_day",
                            "is before validity.last_installation_day")
    documents = r.table("documents")
    deadline = documents.integer("deadline_days", minimum=1)
    reminders = tuple(documents.list_of_integers("reminder_days_before", minimum=1))
    for index, days in enumerate(reminders):
        if days >= deadline:
            raise CampaignError(
                source, f"documents.reminder_days_before[{index}]",
                f"{days} days before a {deadline}-day deadline falls before the request",
            )
    audit_share = r.table("audit").decimal("share", minimum=Decimal(0), maximum=Decimal(1))
    products = [_product(table, languages) for table in r.tables("products")]
    by_code: dict[str, Product] = {}
    for index, product in enumerate(products):
        if product.code in by_code:
            raise CampaignError(source, f"products[{index}].code",
                                f"duplicate product code {product.code!r}")
        by_code[product.code] = product
    return Campaign(
        code=code,
        country=r.text("country", pattern=r"[A-Z]{2}"),
        currency=r.text("currency", pattern=r"[A-Z]{3}"),
        languages=languages,
        timezone=r.timezone("timezone"),
        first_installation_day=first,
        last_installation_day=last,
        last_registration_day=last_registration,
        document_deadline_days=deadline,
        reminder_days_before=tuple(sorted(set(reminders), reverse=True)),
        audit_share=audit_share,
        products=by_code,
    )


def _product(r: _Reader, languages: tuple[str, ...]) -> Product:
    names_table = r.table("name")
    names = {language: names_table.text(language) for language in ("en", *languages)}
    return Product(
        code=r.text("code", pattern=r"[A-Z0-9][A-Z0-9-]{1,31}"),
        names=names,
        serial_format=r.regex("serial_format"),
        amount=r.decimal("amount", minimum=Decimal(0)),
        portal_transfer=r.boolean("portal_transfer"),
        proof_required=r.boolean("proof_required"),
    )


class _Reader:
    """Typed access to a TOML table that names the exact key in every error."""

    def __init__(self, data: Mapping[str, Any], source: str, path: str) -> None:
        self.data = data
        self.source = source
        self.path = path

    def _key(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def _fail(self, key: str, problem: str) -> CampaignError:
        return CampaignError(self.source, self._key(key), problem)

    def _get(self, key: str, kind: type | tuple[type, ...], described: str) -> Any:
        if key not in self.data:
            raise self._fail(key, "is missing")
        value = self.data[key]
        # bool is an int in Python; a TOML true is never a number here.
        if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _kinds(kind)):
            raise self._fail(key, f"must be {described}, got {value!r}")
        return value

    def text(self, key: str, pattern: str | None = None) -> str:
        value: str = self._get(key, str, "text")
        if not value.strip():
            raise self._fail(key, "must not be empty")
        if pattern and not re.fullmatch(pattern, value):
            raise self._fail(key, f"{value!r} does not look like {pattern}")
        return value

    def boolean(self, key: str) -> bool:
        value: bool = self._get(key, bool, "true or false")
        return value

    def integer(self, key: str, minimum: int) -> int:
        value: int = self._get(key, int, "a whole number")
        if value < minimum:
            raise self._fail(key, f"must be at least {minimum}, got {value}")
        return value

    def decimal(self, key: str, minimum: Decimal, maximum: Decimal | None = None) -> Decimal:
        raw = self._get(key, (str, int, float), "a number or a quoted decimal such as \"100.00\"")
        try:
            value = Decimal(str(raw))
        except InvalidOperation as error:
            raise self._fail(key, f"must be a decimal number, got {raw!r}") from error
        if not value.is_finite() or value < minimum or (maximum is not None and value > maximum):
            bound = f"between {minimum} and {maximum}" if maximum is not None else f">= {minimum}"
            raise self._fail(key, f"must be {bound}, got {raw!r}")
        return value

    def day(self, key: str) -> date:
        value = self._get(key, date, "a date such as 2026-01-01")
        if not isinstance(value, date) or hasattr(value, "hour"):
            raise self._fail(key, f"must be a date without time, got {value!r}")
        return value

    def regex(self, key: str) -> re.Pattern[str]:
        value = self.text(key)
        try:
            return re.compile(value)
        except re.error as error:
            raise self._fail(key, f"is not a valid regular expression: {error}") from error

    def timezone(self, key: str) -> ZoneInfo:
        value = self.text(key)
        try:
            return ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise self._fail(key, f"unknown time zone {value!r}") from error

    def list_of_text(self, key: str) -> list[str]:
        values: list[Any] = self._get(key, list, "a list of text")
        if not values:
            raise self._fail(key, "must not be empty")
        for index, value in enumerate(values):
            if not isinstance(value, str):
                raise self._fail(f"{key}[{index}]", f"must be text, got {value!r}")
        return values

    def list_of_integers(self, key: str, minimum: int) -> list[int]:
        values: list[Any] = self._get(key, list, "a list of whole numbers")
        for index, value in enumerate(values):
            if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
                raise self._fail(f"{key}[{index}]",
                                 f"must be a whole number >= {minimum}, got {value!r}")
        return values

    def table(self, key: str) -> _Reader:
        return _Reader(self._get(key, dict, "a table"), self.source, self._key(key))

    def tables(self, key: str) -> list[_Reader]:
        values: list[Any] = self._get(key, list, "an array of tables ([[...]])")
        if not values:
            raise self._fail(key, "must list at least one entry")
        readers = []
        for index, value in enumerate(values):
            if not isinstance(value, dict):
                raise self._fail(f"{key}[{index}]", "must be a table")
            readers.append(_Reader(value, self.source, f"{self._key(key)}[{index}]"))
        return readers


def _kinds(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)
