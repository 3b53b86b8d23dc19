"""/health fields and /metrics through the real Application (polling the fake Bot API)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

import bot.ops.health
from bot.ops.health import HEALTH_CONFIG_KEY, HealthConfig, collect_health, start_health_server
from bot.ops.metrics import Metrics, metrics_of
from storage.db import Database
from storage.maintenance import broadcast_backlog
from tests.harness import USER_ID, BotHarness

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC).isoformat()


async def _serve(harness: BotHarness) -> str:
    harness.app.bot_data[HEALTH_CONFIG_KEY] = HealthConfig(host="127.0.0.1", port=0)
    server = await start_health_server(harness.app)  # what post_init does when configured
    assert server is not None
    return f"http://127.0.0.1:{server.port}"


async def test_health_fields(harness: BotHarness) -> None:
    base = await _serve(harness)
    metrics = metrics_of(harness.app)
    assert metrics.last_update_at is None
    # The long poll returns (successfully) with this update.
    await harness.send(USER_ID, USER_ID, "/start")
    async with httpx.AsyncClient(timeout=5) as client:
        resp = await client.get(base + "/health")
    assert resp.status_code == 200
    doc = resp.json()
    assert doc["ok"] is True and doc["problems"] == []
    assert doc["mode"] == "polling"
    assert doc["time"] == harness.clock.now().isoformat()
    assert doc["database"] == {
        "reachable": True,
        "schema_version": doc["database"]["schema_version"],
    }
    assert doc["database"]["schema_version"] >= 4
    assert doc["scheduler"]["running"] in (True, None)
    assert doc["updates"]["last_update_at"] == harness.clock.now().isoformat()
    assert doc["updates"]["last_get_updates_at"] == harness.clock.now().isoformat()
    assert doc["updates"]["pending"] == 0
    assert doc["broadcast_backlog"] == 0


async def test_health_reports_problems_with_503(
    harness: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = await _serve(harness)

    async def unreachable(db: Database) -> bool:
        return False

    monkeypatch.setattr(bot.ops.health, "ping", unreachable)
    async with httpx.AsyncClient(timeout=5) as client:
        resp = await client.get(base + "/health")
    assert resp.status_code == 503
    assert "database unreachable" in resp.json()["problems"]


async def test_stale_polling_is_a_problem(harness: BotHarness) -> None:
    from datetime import timedelta

    metrics = metrics_of(harness.app)
    await harness.send(USER_ID, USER_ID, "/start")
    assert (await collect_health(harness.app))["ok"] is True
    metrics.last_get_updates_at = harness.clock.now() - timedelta(minutes=10)
    doc = await collect_health(harness.app)
    assert doc["ok"] is False
    assert "no successful getUpdates recently" in doc["problems"]


async def test_metrics_endpoint(harness: BotHarness) -> None:
    base = await _serve(harness)
    await harness.send(USER_ID, USER_ID, "/start")
    await harness.send(USER_ID, USER_ID, "/help")
    async with httpx.AsyncClient(timeout=5) as client:
        resp = await client.get(base + "/metrics")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/plain")
    text = resp.text
    values = {
        line.split(" ")[0]: float(line.split(" ")[1])
        for line in text.splitlines()
        if line and not line.startswith("#")
    }
    assert values['solidarity_bot_updates_total{kind="message"}'] == 2
    assert values["solidarity_bot_messages_sent_total"] >= 2
    assert values["solidarity_bot_broadcast_backlog"] == 0
    assert values["solidarity_bot_get_updates_ok_total"] >= 1
    assert "solidarity_bot_reminder_lateness_seconds_bucket" in text
    assert "solidarity_bot_errors_total" in text or "solidarity_bot_errors" in text


def test_metrics_api_has_no_global_state() -> None:
    a, b = Metrics(), Metrics()
    a.messages_sent.inc()
    a.errors.labels(kind="Forbidden").inc()
    a.reminder_lateness.observe(42)
    assert b.registry.get_sample_value("solidarity_bot_messages_sent_total") == 0
    assert a.registry.get_sample_value("solidarity_bot_messages_sent_total") == 1
    assert a.registry.get_sample_value("solidarity_bot_errors_total", {"kind": "Forbidden"}) == 1
    assert b"solidarity_bot_reminder_lateness_seconds_count 1.0" in a.render()


async def test_broadcast_backlog_counts_pending_deliveries_of_live_broadcasts(
    tmp_path: Path,
) -> None:
    db = await Database.open(tmp_path / "bot.sqlite3")
    try:
        async with db.transaction() as conn:
            for bid, status in ((1, "running"), (2, "draft"), (3, "done")):
                await conn.execute(
                    "INSERT INTO broadcasts (id, kind, status, created_at) VALUES (?, 'n', ?, ?)",
                    (bid, status, NOW),
                )
            rows = [
                (1, 10, "pending"),
                (1, 11, "pending"),
                (1, 12, "sent"),
                (2, 10, "pending"),
                (3, 10, "failed"),
            ]
            await conn.executemany(
                "INSERT INTO deliveries (broadcast_id, chat_id, state, updated_at)"
                " VALUES (?, ?, ?, ?)",
                [(*r, NOW) for r in rows],
            )
        assert await broadcast_backlog(db) == 2
    finally:
        await db.close()


async def test_broadcast_backlog_is_none_before_the_outbox_exists(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "bot.sqlite3", migrate=False)
    try:
        await db.migrate(target=1)
        assert await broadcast_backlog(db) is None
    finally:
        await db.close()
