"""Repository for demonstrations and RSVPs (attendance is only ever counted, never listed)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.db import Database, db_time, parse_db_time

# Columns an admin may change with /editdemo (the names come from this module only).
EDITABLE_COLUMNS = frozenset(
    {"starts_at", "place", "title", "description", "link", "region", "details", "timezone"}
)


@dataclass(frozen=True)
class Demo:
    """One demonstration; starts_at is aware UTC."""

    id: int
    uid: str
    starts_at: datetime
    place: str
    title: str
    description: str
    link: str | None
    region: str | None
    details: str | None
    status: str
    cancel_reason: str | None
    source: str
    feed_id: int | None
    timezone: str | None = None  # the venue's IANA zone; None: each chat's own

    @property
    def cancelled(self) -> bool:
        return self.status == "cancelled"


@dataclass(frozen=True)
class NewDemo:
    """What an admin (or, later, a feed) supplies for a new demonstration."""

    starts_at: datetime
    place: str
    title: str
    description: str = ""
    link: str | None = None
    region: str | None = None
    details: str | None = None
    timezone: str | None = None  # the venue's IANA zone


def row_to_demo(row: aiosqlite.Row) -> Demo:
    return Demo(
        id=int(row["id"]),
        uid=str(row["uid"]),
        starts_at=parse_db_time(row["starts_at"]),
        place=str(row["place"]),
        title=str(row["title"]),
        description=str(row["description"] or ""),
        link=row["link"],
        region=row["region"],
        details=row["details"],
        status=str(row["status"]),
        cancel_reason=row["cancel_reason"],
        source=str(row["source"]),
        feed_id=row["feed_id"],
        timezone=row["timezone"],
    )


class DemoRepo:
    """CRUD for demos and rsvps."""

    def __init__(self, db: Database, uid_domain: str = "solidarity-bot") -> None:
        self.db = db
        self.uid_domain = uid_domain

    async def add(
        self,
        demo: NewDemo,
        now: datetime,
        *,
        created_by: int | None = None,
        conn: aiosqlite.Connection | None = None,
    ) -> int:
        uid = f"{uuid.uuid4()}@{self.uid_domain}"
        args = (
            uid,
            db_time(demo.starts_at),
            demo.place,
            demo.title,
            demo.description,
            demo.link,
            demo.region.casefold() if demo.region else None,
            demo.details,
            demo.timezone,
            created_by,
            db_time(now),
            db_time(now),
        )
        sql = (
            "INSERT INTO demos (uid, starts_at, place, title, description, link, region,"
            " details, timezone, created_by, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        )
        if conn is not None:
            cur = await conn.execute(sql, args)
        else:
            async with self.db.transaction() as tx:
                cur = await tx.execute(sql, args)
        assert cur.lastrowid is not None
        return int(cur.lastrowid)

    async def get(self, demo_id: int) -> Demo | None:
        cur = await self.db.conn.execute("SELECT * FROM demos WHERE id = ?", (demo_id,))
        row = await cur.fetchone()
        return row_to_demo(row) if row else None

    async def upcoming(
        self, now: datetime, *, region: str | None = None, offset: int = 0, limit: int = 5
    ) -> list[Demo]:
        """Scheduled demos not yet begun, soonest first; a region filter keeps national ones."""
        sql, args = self._upcoming_sql(now, region)
        cur = await self.db.conn.execute(
            "SELECT * " + sql + " ORDER BY starts_at, id LIMIT ? OFFSET ?", (*args, limit, offset)
        )
        return [row_to_demo(r) for r in await cur.fetchall()]

    async def count_upcoming(self, now: datetime, *, region: str | None = None) -> int:
        sql, args = self._upcoming_sql(now, region)
        cur = await self.db.conn.execute("SELECT count(*) " + sql, args)
        row = await cur.fetchone()
        return int(row[0]) if row else 0

    @staticmethod
    def _upcoming_sql(now: datetime, region: str | None) -> tuple[str, tuple[object, ...]]:
        sql = "FROM demos WHERE status = 'scheduled' AND starts_at > ?"
        args: tuple[object, ...] = (db_time(now),)
        if region:
            sql += " AND (region IS NULL OR region = ?)"
            args = (*args, region.casefold())
        return sql, args

    async def known_regions(self, now: datetime) -> list[str]:
        """Regions in use: of upcoming demos, of chats' filters and of calendar feeds, sorted."""
        cur = await self.db.conn.execute(
            "SELECT region FROM demos WHERE region IS NOT NULL AND status = 'scheduled'"
            " AND starts_at > ?"
            " UNION SELECT region FROM chats WHERE region IS NOT NULL"
            " UNION SELECT region FROM feeds WHERE region IS NOT NULL"
            " ORDER BY 1",
            (db_time(now),),
        )
        return [str(r[0]) for r in await cur.fetchall()]

    async def update(
        self, demo_id: int, now: datetime, conn: aiosqlite.Connection, **fields: object
    ) -> None:
        """Change editable columns inside the caller's transaction."""
        bad = set(fields) - EDITABLE_COLUMNS
        if bad:
            raise ValueError(f"not editable: {sorted(bad)}")
        values = [db_time(v) if isinstance(v, datetime) else v for v in fields.values()]
        assignments = ", ".join(f"{name} = ?" for name in fields)
        await conn.execute(
            f"UPDATE demos SET {assignments}, updated_at = ? WHERE id = ?",
            (*values, db_time(now), demo_id),
        )

    async def cancel(
        self, demo_id: int, reason: str | None, now: datetime, conn: aiosqlite.Connection
    ) -> None:
        await conn.execute(
            "UPDATE demos SET status = 'cancelled', cancel_reason = ?, updated_at = ? WHERE id = ?",
            (reason, db_time(now), demo_id),
        )

    async def restore(self, demo_id: int, now: datetime, conn: aiosqlite.Connection) -> None:
        """Undo a cancellation (RSVPs were kept, so those going are still going)."""
        await conn.execute(
            "UPDATE demos SET status = 'scheduled', cancel_reason = NULL, updated_at = ?"
            " WHERE id = ?",
            (db_time(now), demo_id),
        )

    # --- RSVPs ----------------------------------------------------------------------------
    async def set_rsvp(self, demo_id: int, user_id: int, going: bool, now: datetime) -> int:
        """Record this member's answer (Going or Can't go), replacing any earlier one; returns
        how many are going now."""
        mine, other = ("rsvps", "rsvp_declines") if going else ("rsvp_declines", "rsvps")
        async with self.db.transaction() as conn:
            # Table names come from this method only, never from input.
            await conn.execute(
                f"DELETE FROM {other} WHERE demo_id = ? AND user_id = ?", (demo_id, user_id)
            )
            await conn.execute(
                f"INSERT OR IGNORE INTO {mine} (demo_id, user_id, created_at) VALUES (?, ?, ?)",
                (demo_id, user_id, db_time(now)),
            )
            cur = await conn.execute("SELECT count(*) FROM rsvps WHERE demo_id = ?", (demo_id,))
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def rsvp_answer(self, demo_id: int, user_id: int) -> bool | None:
        """True: going; False: can't go; None: no answer."""
        cur = await self.db.conn.execute(
            "SELECT 1 FROM rsvps WHERE demo_id = ? AND user_id = ?"
            " UNION ALL SELECT 0 FROM rsvp_declines WHERE demo_id = ? AND user_id = ?",
            (demo_id, user_id, demo_id, user_id),
        )
        row = await cur.fetchone()
        return None if row is None else bool(row[0])

    async def rsvp_summary(self, demo_ids: list[int]) -> dict[int, tuple[int, int]]:
        """(going, can't go) counts per demo: numbers only, never who."""
        if not demo_ids:
            return {}
        marks = ",".join("?" * len(demo_ids))
        cur = await self.db.conn.execute(
            f"SELECT demo_id, 1, count(*) FROM rsvps WHERE demo_id IN ({marks}) GROUP BY demo_id"
            f" UNION ALL SELECT demo_id, 0, count(*) FROM rsvp_declines"
            f" WHERE demo_id IN ({marks}) GROUP BY demo_id",
            (*demo_ids, *demo_ids),
        )
        going: dict[int, int] = {}
        declined: dict[int, int] = {}
        for demo_id, is_going, n in await cur.fetchall():
            (going if is_going else declined)[int(demo_id)] = int(n)
        return {d: (going.get(d, 0), declined.get(d, 0)) for d in demo_ids}

    async def rsvp_count(self, demo_id: int) -> int:
        cur = await self.db.conn.execute("SELECT count(*) FROM rsvps WHERE demo_id = ?", (demo_id,))
        row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def rsvp_counts(self, demo_ids: list[int]) -> dict[int, int]:
        if not demo_ids:
            return {}
        marks = ",".join("?" * len(demo_ids))
        cur = await self.db.conn.execute(
            f"SELECT demo_id, count(*) FROM rsvps WHERE demo_id IN ({marks}) GROUP BY demo_id",
            demo_ids,
        )
        counts = {int(r[0]): int(r[1]) for r in await cur.fetchall()}
        return {d: counts.get(d, 0) for d in demo_ids}

    async def has_rsvp(self, demo_id: int, user_id: int) -> bool:
        cur = await self.db.conn.execute(
            "SELECT 1 FROM rsvps WHERE demo_id = ? AND user_id = ?", (demo_id, user_id)
        )
        return await cur.fetchone() is not None

    async def delete_rsvps_before(self, cutoff: datetime) -> int:
        """Forget the answers (going and can't go) to demos that began before cutoff (cancelled
        ones too: a cancellation can be undone until the demonstration's time)."""
        deleted = 0
        async with self.db.transaction() as conn:
            for table in ("rsvps", "rsvp_declines"):
                cur = await conn.execute(
                    f"DELETE FROM {table} WHERE demo_id IN (SELECT id FROM demos"
                    " WHERE starts_at <= ?)",
                    (db_time(cutoff),),
                )
                deleted += max(cur.rowcount, 0)
        return deleted

    async def next_rsvp_cleanup(self) -> datetime | None:
        """Start time of the earliest demo that still has answers."""
        cur = await self.db.conn.execute(
            "SELECT min(d.starts_at) FROM demos d WHERE EXISTS"
            " (SELECT 1 FROM rsvps r WHERE r.demo_id = d.id)"
            " OR EXISTS (SELECT 1 FROM rsvp_declines x WHERE x.demo_id = d.id)"
        )
        row = await cur.fetchone()
        return parse_db_time(row[0]) if row and row[0] else None
