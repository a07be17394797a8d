"""Prometheus metrics: counters bumped where things happen, gauges read from the database.

The counters live in this process and are bumped at a few natural points (an update handled,
a registration judged, a notification delivered, a pass of the reply poller, a scheduled
job, an error logged). The outbox gauges are read from the database at scrape time with one
grouped query, so every process reports the same backlog. Nothing here is registered in
prometheus_client's global registry: :func:`registry` builds one per server.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, Counter, Gauge
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from storage.outbox import OutboxState
from storage.services.registrations import ClaimOutcome
from storage.tables import OutboxMessage

UPDATES = Counter("cashback_updates", "Telegram updates handled, by kind and outcome.",
                  ["kind", "outcome"], registry=None)
REGISTRATIONS = Counter("cashback_registrations", "Registration claims judged, by channel and "
                        "outcome (status, or why the claim could not be judged).",
                        ["channel", "outcome"], registry=None)
DELIVERIES = Counter("cashback_outbox_deliveries", "Notifications the dispatcher handled, by "
                     "kind and outcome.", ["kind", "outcome"], registry=None)
MAIL_POLLS = Counter("cashback_imap_polls", "Passes of the reply poller over the mailbox, by "
                     "outcome.", ["outcome"], registry=None)
MAIL_MESSAGES = Counter("cashback_imap_messages", "Incoming e-mails handled, by outcome.",
                        ["outcome"], registry=None)
MAIL_LAST_SUCCESS = Gauge("cashback_imap_last_success_timestamp_seconds",
                          "When the reply poller last read the mailbox completely.",
                          registry=None)
JOB_RUNS = Counter("cashback_job_runs", "Scheduled job runs, by job and outcome.",
                   ["job", "outcome"], registry=None)
JOB_LAST_RUN = Gauge("cashback_job_last_success_timestamp_seconds",
                     "When each scheduled job last ran without error.", ["job"], registry=None)
ERRORS = Counter("cashback_errors", "Errors logged, by component (telegram, outbox, mail, "
                 "runner, ...).", ["component"], registry=None)

PROCESS_METRICS: tuple[Collector, ...] = (UPDATES, REGISTRATIONS, DELIVERIES, MAIL_POLLS,
                                          MAIL_MESSAGES, MAIL_LAST_SUCCESS, JOB_RUNS,
                                          JOB_LAST_RUN, ERRORS)
UNSENT = (OutboxState.PENDING.value, OutboxState.SENDING.value, OutboxState.DEAD.value)


def count_registrations(channel: str, outcomes: Mapping[str, int]) -> None:
    """Count judged claims: outcome name -> how many."""
    for outcome, number in outcomes.items():
        if number:
            REGISTRATIONS.labels(channel=channel, outcome=outcome).inc(number)


def claim_outcomes(outcomes: Iterable[ClaimOutcome]) -> dict[str, int]:
    """Outcome name -> count: the verdict's status, or why the claim could not be judged."""
    counts: dict[str, int] = {}
    for outcome in outcomes:
        name = (outcome.verdict.status.value if outcome.verdict is not None
                else outcome.problem.value if outcome.problem is not None else "unknown")
        counts[name] = counts.get(name, 0) + 1
    return counts


def mail_poll_succeeded(outcomes: Mapping[str, int]) -> None:
    """A complete pass over the mailbox, with the outcome of each message it handled."""
    MAIL_POLLS.labels(outcome="ok").inc()
    for outcome, number in outcomes.items():
        MAIL_MESSAGES.labels(outcome=outcome).inc(number)
    MAIL_LAST_SUCCESS.set(time.time())


def job_ran(job: str, *, ok: bool) -> None:
    """One run of a scheduled job."""
    JOB_RUNS.labels(job=job, outcome="ok" if ok else "error").inc()
    if ok:
        JOB_LAST_RUN.labels(job=job).set(time.time())


@contextmanager
def job_run(job: str) -> Iterator[None]:
    """Count one run of a scheduled job, failed if the block raises."""
    try:
        yield
    except BaseException:
        job_ran(job, ok=False)
        raise
    job_ran(job, ok=True)


class ErrorCounter(logging.Handler):
    """Counts ERROR records of the ``cashback.*`` loggers.

    Every component already logs its failures, so counting them there misses none.
    """

    def __init__(self) -> None:
        super().__init__(logging.ERROR)

    def emit(self, record: logging.LogRecord) -> None:
        """Count the record under its component (the logger name after ``cashback.``)."""
        component = record.name.removeprefix("cashback.").split(".")[0] or "cashback"
        ERRORS.labels(component=component).inc()


def count_errors() -> None:
    """Attach the error counter to the ``cashback`` loggers (once per process)."""
    parent = logging.getLogger("cashback")
    if not any(isinstance(handler, ErrorCounter) for handler in parent.handlers):
        parent.addHandler(ErrorCounter())


class OutboxCollector(Collector):
    """Outbox depth and the age of its oldest unsent row, per kind and state."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime]) -> None:
        self.engine = engine
        self.clock = clock

    def describe(self) -> Iterable[GaugeMetricFamily]:
        """The families, without querying the database at registration."""
        return list(self._families())

    def collect(self) -> Iterable[GaugeMetricFamily]:
        """One grouped query over the unsent rows."""
        depth, age = self._families()
        now = self.clock()
        for kind, state, count, oldest in self._rows():
            depth.add_metric([kind, state], count)
            if oldest is not None:
                if oldest.tzinfo is None:
                    oldest = oldest.replace(tzinfo=UTC)
                age.add_metric([kind, state], max(0.0, (now - oldest).total_seconds()))
        return [depth, age]

    @staticmethod
    def _families() -> tuple[GaugeMetricFamily, GaugeMetricFamily]:
        return (GaugeMetricFamily("cashback_outbox_depth", "Notifications not delivered yet, "
                                  "by kind and state.", labels=["kind", "state"]),
                GaugeMetricFamily("cashback_outbox_oldest_age_seconds", "Age of the oldest "
                                  "notification not delivered yet, by kind and state.",
                                  labels=["kind", "state"]))

    def _rows(self) -> Sequence[tuple[str, str, int, datetime | None]]:
        query = (select(OutboxMessage.kind, OutboxMessage.state, func.count(),
                        func.min(OutboxMessage.created_at))
                 .where(col(OutboxMessage.state).in_(UNSENT))
                 .group_by(col(OutboxMessage.kind), col(OutboxMessage.state)))
        with Session(self.engine) as session:
            return [(kind, state, int(count), oldest)
                    for kind, state, count, oldest in session.exec(query).all()]


def registry(engine: Engine, clock: Callable[[], datetime]) -> CollectorRegistry:
    """A registry with this process's counters and the database's gauges."""
    found = CollectorRegistry(auto_describe=True)
    for collector in (*PROCESS_METRICS, OutboxCollector(engine, clock)):
        found.register(collector)
    return found
