"""Prometheus metrics and liveness marks, one `Metrics` per Application (its own registry).

Nothing is registered at import time. Reach the Application's metrics with
``metrics_of(context)`` / ``metrics_of(app)`` and call e.g.::

    m = metrics_of(context)
    m.messages_sent.inc()
    m.errors.labels(kind="Forbidden").inc()
    m.reminder_lateness.observe(seconds_late)

Gauges whose truth lives in SQLite (broadcast backlog) are refreshed by the health server just
before each scrape.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from telegram import Update
from telegram.ext import Application, CallbackContext, TypeHandler
from telegram.request import BaseRequest, RequestData

from bot.broadcast.budget import SendBudget
from bot.clock import Clock, SystemClock, utcnow
from bot.telegram.chat_order import pending_updates
from bot.telegram.ptb_private import DEFAULT_NONE, ODVInput

log = logging.getLogger(__name__)

METRICS_KEY = "metrics"
# Runs before every feature's handlers (groups run in ascending order); never stops the update.
TRACKING_GROUP = -1000


class Metrics:
    """The bot's counters and gauges plus the last-seen marks /health reports."""

    def __init__(self, clock: Clock | None = None) -> None:
        self.clock: Clock = clock or SystemClock()
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.updates_handled = Counter(
            "solidarity_bot_updates", "Updates received from Telegram.", ["kind"], registry=r
        )
        self.messages_sent = Counter(
            "solidarity_bot_messages_sent",
            "Messages the bot sent (sendMessage/copy...).",
            [],
            registry=r,
        )
        self.errors = Counter(
            "solidarity_bot_errors", "Errors by kind (exception class name).", ["kind"], registry=r
        )
        self.updates_pending = Gauge(
            "solidarity_bot_updates_pending",
            "Updates taken in and not yet handled (running, or queued behind their chat).",
            registry=r,
        )
        self.broadcast_backlog = Gauge(
            "solidarity_bot_broadcast_backlog", "Outbox deliveries not yet sent.", registry=r
        )
        self.reminder_lateness = Histogram(
            "solidarity_bot_reminder_lateness_seconds",
            "How late reminders went out compared to their due time.",
            buckets=(1, 5, 15, 30, 60, 120, 300, 900, 3600, float("inf")),
            registry=r,
        )
        self.get_updates_ok = Counter(
            "solidarity_bot_get_updates_ok", "Successful getUpdates calls.", registry=r
        )
        self.last_update_seen = Gauge(
            "solidarity_bot_last_update_timestamp_seconds",
            "Unix time the last update arrived (polling or webhook).",
            registry=r,
        )
        self.last_update_at: datetime | None = None
        self.last_get_updates_at: datetime | None = None

    def mark_update(self, kind: str) -> None:
        now = utcnow(self.clock)
        self.last_update_at = now
        self.last_update_seen.set(now.timestamp())
        self.updates_handled.labels(kind=kind).inc()

    def mark_get_updates(self) -> None:
        self.last_get_updates_at = utcnow(self.clock)
        self.get_updates_ok.inc()

    def render(self) -> bytes:
        """The Prometheus text exposition of this registry."""
        return generate_latest(self.registry)


AnyApplication = Application[Any, Any, Any, Any, Any, Any]


def metrics_of(holder: AnyApplication | CallbackContext[Any, Any, Any, Any]) -> Metrics:
    """The Metrics of an Application (or of the Application running a callback)."""
    app = holder.application if isinstance(holder, CallbackContext) else holder
    found = app.bot_data.get(METRICS_KEY)
    if not isinstance(found, Metrics):
        # Built outside build_application (a bare test app): count into a private instance.
        found = Metrics(app.bot_data.get("clock"))
        app.bot_data[METRICS_KEY] = found
    return found


def _update_kind(update: Update) -> str:
    for kind in (
        "message",
        "edited_message",
        "channel_post",
        "callback_query",
        "inline_query",
        "my_chat_member",
        "chat_member",
    ):
        if getattr(update, kind, None) is not None:
            return kind
    return "other"


async def _track_update(update: object, context: CallbackContext[Any, Any, Any, Any]) -> None:
    if isinstance(update, Update):
        metrics_of(context).mark_update(_update_kind(update))


async def _count_error(update: object, context: CallbackContext[Any, Any, Any, Any]) -> None:
    err = context.error
    metrics_of(context).errors.labels(kind=type(err).__name__ if err else "unknown").inc()


class BudgetCollector(Collector):
    """The send budget's figures (bot/broadcast/budget.py), read at each scrape."""

    def __init__(self, budget: SendBudget) -> None:
        self.budget = budget

    def collect(self) -> Iterator[Metric]:
        snap = self.budget.snapshot()
        waiting = GaugeMetricFamily(
            "solidarity_bot_sends_waiting",
            "Messages waiting for their turn within Telegram's limits, by priority.",
            labels=["priority"],
        )
        for priority, n in snap["waiting"].items():
            waiting.add_metric([priority], n)
        yield waiting
        longest = GaugeMetricFamily(
            "solidarity_bot_send_longest_wait_seconds",
            "The longest any message has waited for its turn since start, by priority.",
            labels=["priority"],
        )
        for priority, seconds in snap["longest_wait_seconds"].items():
            longest.add_metric([priority], seconds)
        yield longest
        yield GaugeMetricFamily(
            "solidarity_bot_send_oldest_waiting_seconds",
            "How long the message waiting longest right now has waited.",
            value=snap["oldest_waiting_seconds"],
        )
        yield CounterMetricFamily(
            "solidarity_bot_send_429",
            "429 Too Many Requests answers met (each waited out).",
            value=snap["too_many_requests"],
        )
        yield CounterMetricFamily(
            "solidarity_bot_send_abandoned",
            "Messages given up after repeated 429s.",
            value=snap["abandoned"],
        )


def install_metrics(
    app: AnyApplication, metrics: Metrics, budget: SendBudget | None = None
) -> None:
    """Attach metrics to app: an update-tracking handler, an error counter, the send budget."""
    app.bot_data[METRICS_KEY] = metrics
    if budget is not None:
        metrics.registry.register(BudgetCollector(budget))
    metrics.updates_pending.set_function(lambda: pending_updates(app) or 0)
    app.add_handler(TypeHandler(Update, _track_update), group=TRACKING_GROUP)
    # PTB calls every error handler; this one only counts (handlers/errors.py logs).
    app.add_error_handler(_count_error)


_SENDING_METHODS = frozenset(
    {
        "sendMessage",
        "copyMessage",
        "forwardMessage",
        "sendPhoto",
        "sendDocument",
        "sendMediaGroup",
        "sendLocation",
        "sendPoll",
    }
)


class TrackingRequest(BaseRequest):
    """Wraps a PTB request object: counts sent messages and marks successful getUpdates.

    Messages are counted here, at the one place every Bot API call passes, so features do not
    have to (and should not) call ``messages_sent.inc()`` themselves.
    """

    def __init__(self, inner: BaseRequest, metrics: Metrics) -> None:
        self.inner = inner
        self.metrics = metrics

    @property
    def read_timeout(self) -> float | None:
        return self.inner.read_timeout

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        try:
            code, payload = await self.inner.do_request(
                url,
                method,
                request_data=request_data,
                read_timeout=read_timeout,
                write_timeout=write_timeout,
                connect_timeout=connect_timeout,
                pool_timeout=pool_timeout,
            )
        except Exception as exc:
            self.metrics.errors.labels(kind=f"request:{type(exc).__name__}").inc()
            raise
        api_method = url.rsplit("/", 1)[-1]
        if 200 <= code < 300:
            if api_method == "getUpdates":
                self.metrics.mark_get_updates()
            elif api_method in _SENDING_METHODS:
                self.metrics.messages_sent.inc()
        else:  # 429 (flood wait, retried by the caller) shows up here too, as api:429
            self.metrics.errors.labels(kind=f"api:{code}").inc()
        return code, payload
