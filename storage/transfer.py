"""Export and import of demonstrations and chat settings as versioned JSON.

For moving a bot between servers (or keeping a readable copy). Import validates the whole file
before writing anything, then upserts in one transaction: chats by chat id, demonstrations by
their stable uid. Importing the same file twice changes nothing the second time.

Not exported: RSVPs (user ids), reminder logs and the outbox (they belong to the old server's
history), statements (rebuilt from the packaged corpus).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import aiosqlite

from storage.db import Database, DatabaseError

FORMAT_NAME = "solidarity-bot-export"
FORMAT_VERSION = 1

CHAT_KINDS = ("private", "group", "supergroup", "channel")
DEMO_STATUSES = ("scheduled", "cancelled")

# Exported columns, in file order. Local ids (demos.id, feed_id) do not travel.
CHAT_FIELDS = (
    "chat_id",
    "kind",
    "active",
    "subscribed",
    "thread_id",
    "timezone",
    "lead_minutes",
    "region",
    "language",
    "created_at",
    "updated_at",
)
DEMO_FIELDS = (
    "uid",
    "starts_at",
    "place",
    "title",
    "description",
    "link",
    "region",
    "details",
    "status",
    "cancel_reason",
    "source",
    "created_by",
    "created_at",
    "updated_at",
    "timezone",
)


class TransferError(Exception):
    """The file (or database) cannot be exported/imported; the message says where and why."""


@dataclass(frozen=True)
class ImportResult:
    chats: int
    demos: int
    demos_new: int


# -- export ---------------------------------------------------------------------------------


async def _has_table(db: Database, name: str) -> bool:
    cur = await db.conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
    )
    return await cur.fetchone() is not None


async def export_data(db: Database, now: datetime) -> dict[str, Any]:
    """The export document for an open database (any schema version with a chats table)."""
    cur = await db.conn.execute(
        "SELECT chat_id, kind, active, subscribed, thread_id, timezone, lead_minutes, region,"
        " language, created_at, updated_at FROM chats ORDER BY chat_id"
    )
    chats: list[dict[str, Any]] = []
    for row in await cur.fetchall():
        item = dict(zip(CHAT_FIELDS, tuple(row), strict=True))
        item["active"] = bool(item["active"])
        item["subscribed"] = bool(item["subscribed"])
        item["lead_minutes"] = json.loads(item["lead_minutes"]) if item["lead_minutes"] else None
        chats.append(item)
    demos: list[dict[str, Any]] = []
    if await _has_table(db, "demos"):
        cur = await db.conn.execute(
            f"SELECT {', '.join(DEMO_FIELDS)} FROM demos ORDER BY starts_at, uid"
        )
        demos = [dict(zip(DEMO_FIELDS, tuple(row), strict=True)) for row in await cur.fetchall()]
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "exported_at": now.astimezone(UTC).isoformat(timespec="seconds"),
        "schema_version": await db.schema_version(),
        "chats": chats,
        "demos": demos,
    }


async def export_json(db_path: Path, now: datetime) -> str:
    """Export from the database file without migrating it (safe beside a running bot)."""
    try:
        db = await Database.open(db_path, migrate=False)
    except DatabaseError as exc:
        raise TransferError(str(exc)) from None
    try:
        if not await _has_table(db, "chats"):
            raise TransferError(f"{str(db_path)!r} is not a solidarity-bot database")
        doc = await export_data(db, now)
    finally:
        await db.close()
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


# -- validation -----------------------------------------------------------------------------


class _Checker:
    def __init__(self, where: str, item: Any) -> None:
        if not isinstance(item, dict):
            raise TransferError(f"{where}: expected an object")
        unknown = sorted(set(item) - set(CHAT_FIELDS if where.startswith("chats") else DEMO_FIELDS))
        if unknown:
            raise TransferError(f"{where}: unknown field {unknown[0]!r}")
        self.where = where
        self.item: dict[str, Any] = item

    def fail(self, name: str, expected: str) -> TransferError:
        got = repr(self.item.get(name))[:40]
        return TransferError(f"{self.where}.{name}: expected {expected}, got {got}")

    def int_(self, name: str, *, optional: bool = False) -> int | None:
        value = self.item.get(name)
        if value is None and optional:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or abs(value) >= 2**63:
            raise self.fail(name, "an integer" + (" or null" if optional else ""))
        return value

    def bool_(self, name: str, default: bool) -> bool:
        value = self.item.get(name, default)
        if not isinstance(value, bool):
            raise self.fail(name, "true or false")
        return value

    def str_(
        self, name: str, *, optional: bool = False, nonempty: bool = False, limit: int = 10_000
    ) -> str | None:
        value = self.item.get(name)
        if value is None and optional:
            return None
        if not isinstance(value, str) or len(value) > limit or (nonempty and not value.strip()):
            what = "a non-empty text" if nonempty else "a text"
            raise self.fail(name, f"{what} of at most {limit} characters")
        return value

    def choice(self, name: str, options: tuple[str, ...], default: str | None = None) -> str:
        value = self.item.get(name, default)
        if value not in options:
            raise self.fail(name, " or ".join(repr(o) for o in options))
        return str(value)

    def time(self, name: str, *, default: str | None = None) -> str:
        value = self.item.get(name, default)
        try:
            parsed = datetime.fromisoformat(str(value)) if isinstance(value, str) else None
            # Year 1 or 9999 with an offset overflows on the way to UTC.
            utc = parsed.astimezone(UTC) if parsed is not None and parsed.tzinfo else None
        except (ValueError, OverflowError):
            utc = None
        if utc is None:
            raise self.fail(name, "an ISO-8601 time with a UTC offset")
        return utc.isoformat(timespec="seconds")

    def timezone(self, name: str) -> str | None:
        value = self.str_(name, optional=True, limit=64)
        if value is None:
            return None
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise self.fail(name, "an IANA time zone name or null") from None
        return value

    def leads(self, name: str) -> str | None:
        value = self.item.get(name)
        if value is None:
            return None
        if (
            not isinstance(value, list)
            or not value
            or len(value) > 20
            or not all(
                isinstance(x, int) and not isinstance(x, bool) and 0 < x <= 60 * 24 * 60
                for x in value
            )
        ):
            raise self.fail(name, "null or a list of positive minute counts")
        return json.dumps(sorted(set(value), reverse=True))


def _validated_chat(i: int, item: Any, stamp: str) -> tuple[Any, ...]:
    c = _Checker(f"chats[{i}]", item)
    return (
        c.int_("chat_id"),
        c.choice("kind", CHAT_KINDS),
        int(c.bool_("active", True)),
        int(c.bool_("subscribed", False)),
        c.int_("thread_id", optional=True),
        c.timezone("timezone"),
        c.leads("lead_minutes"),
        c.str_("region", optional=True, limit=200),
        c.str_("language", optional=True, limit=16),
        c.time("created_at", default=stamp),
        c.time("updated_at", default=stamp),
    )


def _validated_demo(i: int, item: Any, stamp: str) -> tuple[Any, ...]:
    c = _Checker(f"demos[{i}]", item)
    return (
        c.str_("uid", nonempty=True, limit=500),
        c.time("starts_at"),
        c.str_("place", nonempty=True),
        c.str_("title", nonempty=True),
        c.str_("description") if "description" in c.item else "",
        c.str_("link", optional=True, limit=2000),
        c.str_("region", optional=True, limit=200),
        c.str_("details", optional=True),
        c.choice("status", DEMO_STATUSES, "scheduled"),
        c.str_("cancel_reason", optional=True),
        c.str_("source", limit=40) if "source" in c.item else "admin",
        c.int_("created_by", optional=True),
        c.time("created_at", default=stamp),
        c.time("updated_at", default=stamp),
        c.timezone("timezone"),  # the venue's zone; older exports have none
    )


@dataclass(frozen=True)
class ValidatedImport:
    chats: list[tuple[Any, ...]]
    demos: list[tuple[Any, ...]]


def validate_document(text: str, now: datetime) -> ValidatedImport:
    """Parse and check a whole export; raise TransferError at the first problem."""
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise TransferError(f"not JSON ({exc})") from None
    except RecursionError:
        raise TransferError("not an export: JSON nested too deeply") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT_NAME:
        raise TransferError(f'not a solidarity-bot export (no "format": "{FORMAT_NAME}")')
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise TransferError('the export has no numeric "version"')
    if version > FORMAT_VERSION:
        raise TransferError(
            f"export format version {version} is newer than this bot reads ({FORMAT_VERSION});"
            " upgrade the bot"
        )
    if version < 1:
        raise TransferError(f"unknown export format version {version}")
    stamp = now.astimezone(UTC).isoformat(timespec="seconds")
    chats_raw = doc.get("chats", [])
    demos_raw = doc.get("demos", [])
    if not isinstance(chats_raw, list) or not isinstance(demos_raw, list):
        raise TransferError('"chats" and "demos" must be lists')
    chats = [_validated_chat(i, item, stamp) for i, item in enumerate(chats_raw)]
    demos = [_validated_demo(i, item, stamp) for i, item in enumerate(demos_raw)]
    for label, rows in (("chats", chats), ("demos", demos)):
        seen: set[Any] = set()
        for i, row in enumerate(rows):
            if row[0] in seen:
                key = "chat_id" if label == "chats" else "uid"
                raise TransferError(f"{label}[{i}].{key}: {row[0]!r} appears twice")
            seen.add(row[0])
    return ValidatedImport(chats=chats, demos=demos)


# -- import ---------------------------------------------------------------------------------

_UPSERT_CHAT = (
    "INSERT INTO chats (chat_id, kind, active, subscribed, thread_id, timezone, lead_minutes,"
    " region, language, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (chat_id) DO UPDATE SET kind = excluded.kind, active = excluded.active,"
    " subscribed = excluded.subscribed, thread_id = excluded.thread_id,"
    " timezone = excluded.timezone, lead_minutes = excluded.lead_minutes,"
    " region = excluded.region, language = excluded.language,"
    " updated_at = excluded.updated_at"
)

_UPSERT_DEMO = (
    "INSERT INTO demos (uid, starts_at, place, title, description, link, region, details,"
    " status, cancel_reason, source, created_by, created_at, updated_at, timezone)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (uid) DO UPDATE SET starts_at = excluded.starts_at, place = excluded.place,"
    " title = excluded.title, description = excluded.description, link = excluded.link,"
    " region = excluded.region, details = excluded.details, status = excluded.status,"
    " cancel_reason = excluded.cancel_reason, source = excluded.source,"
    " created_by = excluded.created_by, updated_at = excluded.updated_at,"
    " timezone = excluded.timezone"
)


async def _count_demos(conn: aiosqlite.Connection) -> int:
    row = await (await conn.execute("SELECT count(*) FROM demos")).fetchone()
    return int(row[0]) if row else 0


async def import_data(db: Database, data: ValidatedImport) -> ImportResult:
    """Upsert everything in one transaction (all or nothing)."""
    if data.demos and not await _has_table(db, "demos"):
        raise TransferError("this database has no demos table (is the bot too old?)")
    async with db.transaction() as conn:
        before = await _count_demos(conn) if data.demos else 0
        for row in data.chats:
            await conn.execute(_UPSERT_CHAT, row)
        for row in data.demos:
            await conn.execute(_UPSERT_DEMO, row)
        after = await _count_demos(conn) if data.demos else 0
    return ImportResult(chats=len(data.chats), demos=len(data.demos), demos_new=after - before)


async def import_json(
    db_path: Path,
    text: str,
    now: datetime,
    check: Callable[[ValidatedImport], None] | None = None,
) -> ImportResult:
    """Validate text (and with check, the caller's own rules), then open (and migrate) the
    database and upsert. Nothing is opened or written when a check refuses."""
    data = validate_document(text, now)
    if check is not None:
        check(data)
    try:
        db = await Database.open(db_path)
    except DatabaseError as exc:
        raise TransferError(str(exc)) from None
    try:
        return await import_data(db, data)
    finally:
        await db.close()
