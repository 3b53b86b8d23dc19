"""Repository for calendar feeds and for the demonstrations they bring in (demos.source='feed')."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.db import Database, db_time, parse_db_time
from storage.demos import Demo, row_to_demo


def _dt(text: str | None) -> datetime | None:
    return parse_db_time(text) if text else None


@dataclass(frozen=True)
class Feed:
    """One subscribed calendar feed and its fetch state."""

    id: int
    url: str
    region: str | None
    etag: str | None
    last_modified: str | None
    content_hash: str | None
    last_fetched_at: datetime | None
    last_ok_at: datetime | None
    last_error: str | None
    last_status: int | None
    failing_since: datetime | None
    alerted: bool
    next_fetch_at: datetime | None
    warned: str | None = None  # the last warning given about it (said once)

    @property
    def failing(self) -> bool:
        return self.last_error is not None


@dataclass(frozen=True)
class FeedDemo:
    """A demonstration as a feed describes it (times aware UTC)."""

    uid: str
    starts_at: datetime
    title: str
    place: str
    description: str
    link: str | None
    region: str | None
    cancelled: bool
    timezone: str | None = None  # the event's own zone (its DTSTART's, else the calendar's)


def _feed(row: aiosqlite.Row) -> Feed:
    return Feed(
        id=int(row["id"]),
        url=str(row["url"]),
        region=row["region"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        content_hash=row["content_hash"],
        last_fetched_at=_dt(row["last_fetched_at"]),
        last_ok_at=_dt(row["last_ok_at"]),
        last_error=row["last_error"],
        last_status=row["last_status"],
        failing_since=_dt(row["failing_since"]),
        alerted=bool(row["alerted"]),
        next_fetch_at=_dt(row["next_fetch_at"]),
        warned=row["warned"],
    )


class FeedRepo:
    """CRUD for feeds, their fetch state, and the feed-owned rows of demos."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # --- feeds ----------------------------------------------------------------------------
    async def add(
        self, url: str, region: str | None, now: datetime, created_by: int | None
    ) -> tuple[int, bool]:
        """Insert the feed; returns (id, created) — an existing URL gives its id and False."""
        async with self.db.transaction() as conn:
            cur = await conn.execute("SELECT id FROM feeds WHERE url = ?", (url,))
            row = await cur.fetchone()
            if row is not None:
                return int(row[0]), False
            cur = await conn.execute(
                "INSERT INTO feeds (url, region, created_by, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (
                    url,
                    region.casefold() if region else None,
                    created_by,
                    db_time(now),
                    db_time(now),
                ),
            )
            assert cur.lastrowid is not None
            return int(cur.lastrowid), True

    async def get(self, feed_id: int) -> Feed | None:
        cur = await self.db.conn.execute("SELECT * FROM feeds WHERE id = ?", (feed_id,))
        row = await cur.fetchone()
        return _feed(row) if row else None

    async def all(self) -> list[Feed]:
        cur = await self.db.conn.execute("SELECT * FROM feeds ORDER BY id")
        return [_feed(r) for r in await cur.fetchall()]

    async def due(self, now: datetime) -> list[Feed]:
        cur = await self.db.conn.execute(
            "SELECT * FROM feeds WHERE next_fetch_at IS NULL OR next_fetch_at <= ? ORDER BY id",
            (db_time(now),),
        )
        return [_feed(r) for r in await cur.fetchall()]

    async def remove(self, feed_id: int) -> bool:
        async with self.db.transaction() as conn:
            cur = await conn.execute("DELETE FROM feeds WHERE id = ?", (feed_id,))
        return cur.rowcount > 0

    async def record_success(
        self,
        feed_id: int,
        now: datetime,
        next_fetch_at: datetime,
        *,
        etag: str | None,
        last_modified: str | None,
        content_hash: str | None,
    ) -> None:
        """A 200 or 304: remember validators, clear the failure state."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE feeds SET etag = ?, last_modified = ?,"
                " content_hash = coalesce(?, content_hash), last_fetched_at = ?, last_ok_at = ?,"
                " last_error = NULL, last_status = NULL, failing_since = NULL, alerted = 0,"
                " next_fetch_at = ?, updated_at = ? WHERE id = ?",
                (
                    etag,
                    last_modified,
                    content_hash,
                    db_time(now),
                    db_time(now),
                    db_time(next_fetch_at),
                    db_time(now),
                    feed_id,
                ),
            )

    async def record_failure(
        self, feed_id: int, now: datetime, next_fetch_at: datetime, kind: str, status: int | None
    ) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE feeds SET last_fetched_at = ?, last_error = ?, last_status = ?,"
                " failing_since = coalesce(failing_since, ?), next_fetch_at = ?, updated_at = ?"
                " WHERE id = ?",
                (
                    db_time(now),
                    kind,
                    status,
                    db_time(now),
                    db_time(next_fetch_at),
                    db_time(now),
                    feed_id,
                ),
            )

    async def set_alerted(self, feed_id: int, alerted: bool) -> None:
        async with self.db.transaction() as conn:
            await conn.execute("UPDATE feeds SET alerted = ? WHERE id = ?", (int(alerted), feed_id))

    async def set_warned(self, feed_id: int, warned: str | None) -> None:
        async with self.db.transaction() as conn:
            await conn.execute("UPDATE feeds SET warned = ? WHERE id = ?", (warned, feed_id))

    async def fetch_now(self, feed_id: int | None = None) -> None:
        """Make one feed (or all) due immediately."""
        async with self.db.transaction() as conn:
            if feed_id is None:
                await conn.execute("UPDATE feeds SET next_fetch_at = NULL")
            else:
                await conn.execute("UPDATE feeds SET next_fetch_at = NULL WHERE id = ?", (feed_id,))

    # --- demonstrations owned by feeds ----------------------------------------------------
    async def demos_by_uid(self, uids: list[str]) -> dict[str, Demo]:
        """Existing demos (any source) with these UIDs."""
        out: dict[str, Demo] = {}
        for start in range(0, len(uids), 500):
            chunk = uids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            cur = await self.db.conn.execute(f"SELECT * FROM demos WHERE uid IN ({marks})", chunk)
            for row in await cur.fetchall():
                demo = row_to_demo(row)
                out[demo.uid] = demo
        return out

    async def upcoming_of_feed(self, feed_id: int, now: datetime) -> list[Demo]:
        """Scheduled demos from this feed that have not begun."""
        cur = await self.db.conn.execute(
            "SELECT * FROM demos WHERE source = 'feed' AND feed_id = ? AND status = 'scheduled'"
            " AND starts_at > ? ORDER BY starts_at, id",
            (feed_id, db_time(now)),
        )
        return [row_to_demo(r) for r in await cur.fetchall()]

    async def count_upcoming_by_feed(self, now: datetime) -> dict[int, int]:
        cur = await self.db.conn.execute(
            "SELECT feed_id, count(*) FROM demos WHERE source = 'feed' AND status = 'scheduled'"
            " AND starts_at > ? AND feed_id IS NOT NULL GROUP BY feed_id",
            (db_time(now),),
        )
        return {int(r[0]): int(r[1]) for r in await cur.fetchall()}

    async def feed_ids(self) -> set[int]:
        cur = await self.db.conn.execute("SELECT id FROM feeds")
        return {int(r[0]) for r in await cur.fetchall()}

    async def insert_demo(self, feed_id: int, event: FeedDemo, now: datetime) -> int:
        """A new demonstration from a feed, keeping the feed's UID."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "INSERT INTO demos (uid, starts_at, place, title, description, link, region,"
                " status, source, feed_id, timezone, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'feed', ?, ?, ?, ?)",
                (
                    event.uid,
                    db_time(event.starts_at),
                    event.place,
                    event.title,
                    event.description,
                    event.link,
                    event.region,
                    "cancelled" if event.cancelled else "scheduled",
                    feed_id,
                    event.timezone,
                    db_time(now),
                    db_time(now),
                ),
            )
            assert cur.lastrowid is not None
            return int(cur.lastrowid)

    async def update_demo(self, demo_id: int, now: datetime, fields: dict[str, object]) -> None:
        """Write a feed demo's editable columns (no notices: the caller sends them)."""
        allowed = {"title", "description", "link", "region", "place", "starts_at", "timezone"}
        if set(fields) - allowed:
            raise ValueError(f"not a feed-editable column: {sorted(set(fields) - allowed)}")
        values = [db_time(v) if isinstance(v, datetime) else v for v in fields.values()]
        assignments = ", ".join(f"{name} = ?" for name in fields)
        async with self.db.transaction() as conn:
            await conn.execute(
                f"UPDATE demos SET {assignments}, updated_at = ? WHERE id = ? AND source = 'feed'",
                (*values, db_time(now), demo_id),
            )

    async def adopt(self, demo_id: int, feed_id: int, now: datetime) -> None:
        """Attach an orphaned feed demo (its feed was removed) to the feed now carrying it."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE demos SET feed_id = ?, updated_at = ? WHERE id = ? AND source = 'feed'",
                (feed_id, db_time(now), demo_id),
            )

    async def reinstate(self, demo_id: int, now: datetime) -> None:
        """A feed event that was cancelled (or vanished) is back: scheduled again."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE demos SET status = 'scheduled', cancel_reason = NULL, updated_at = ?"
                " WHERE id = ? AND source = 'feed'",
                (db_time(now), demo_id),
            )

    async def calendar_demos(
        self, now: datetime, region: str | None, *, limit: int = 1000
    ) -> list[Demo]:
        """Demos that have not begun, cancelled ones included (their calendars must hear)."""
        sql = "SELECT * FROM demos WHERE starts_at > ?"
        args: tuple[object, ...] = (db_time(now),)
        if region:
            sql += " AND (region IS NULL OR region = ?)"
            args = (*args, region.casefold())
        cur = await self.db.conn.execute(sql + " ORDER BY starts_at, id LIMIT ?", (*args, limit))
        return [row_to_demo(r) for r in await cur.fetchall()]
