"""`import` refuses what the bot cannot handle, with one line and exit 2, changing nothing."""

from __future__ import annotations

import asyncio
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from bot.__main__ import main
from bot.demos.intake import link_problem, safe_link
from storage.transfer import export_json
from tests.test_transfer import NOW, _populated


def _doc() -> dict[str, Any]:
    return {
        "format": "solidarity-bot-export",
        "version": 1,
        "chats": [{"chat_id": -100500, "kind": "supergroup", "language": "uk"}],
        "demos": [
            {
                "uid": "u1@x",
                "starts_at": "2026-12-01T15:00:00+00:00",
                "place": "Parliament Square",
                "title": "Ceasefire now",
                "link": "https://example.org/e",
            }
        ],
    }


def _chat(field: str, value: Any) -> dict[str, Any]:
    doc = _doc()
    doc["chats"][0][field] = value
    return doc


def _demo(field: str, value: Any) -> dict[str, Any]:
    doc = _doc()
    doc["demos"][0][field] = value
    return doc


def _nested(depth: int) -> str:
    return (
        '{"format": "solidarity-bot-export", "version": 1, "chats": '
        + "[" * depth
        + "]" * depth
        + "}"
    )


BAD = [
    # (file text or document, what the one line must name)
    (_chat("language", "pt"), "chats[0].language"),  # then /language failed with KeyError
    (_demo("starts_at", "9999-12-01T15:00:00+00:00"), "demos[0].starts_at"),  # /calendar broke
    (_demo("starts_at", "9999-12-31T23:00:00-05:00"), "demos[0].starts_at"),  # OverflowError
    (_demo("starts_at", "0001-01-01T00:30:00+01:00"), "demos[0].starts_at"),  # OverflowError
    (_demo("title", "T" * 10_000), "demos[0].title"),  # the commands' limit is 120
    (_demo("title", "T" * 121), "demos[0].title"),
    (_demo("place", "P" * 201), "demos[0].place"),
    (_demo("link", "javascript:alert(1)"), "demos[0].link"),
    (_demo("link", "https://example.org/a b"), "demos[0].link"),
    (_demo("link", "data:text/html,hi"), "demos[0].link"),
    (_demo("region", "Not A Region!"), "demos[0].region"),
    (_chat("region", "x" * 41), "chats[0].region"),
    (_chat("lead_minutes", [1, 60]), "chats[0].lead_minutes"),
    (_chat("lead_minutes", [10, 20, 30, 40, 50, 60]), "chats[0].lead_minutes"),
    (_nested(100_000), "nested too deeply"),
]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(("doc", "names"), BAD, ids=[n for _, n in BAD])
def test_import_refuses_with_one_line_and_exit_2_and_changes_nothing(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    doc: Any,
    names: str,
) -> None:
    db_path = tmp_path / "bot.sqlite3"
    asyncio.run(_populated(db_path))
    before = asyncio.run(export_json(db_path, NOW))
    digest = _digest(db_path)
    bad = tmp_path / "bad.json"
    bad.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    monkeypatch.setenv("BOT_DB_PATH", str(db_path))
    capsys.readouterr()
    assert main(["import", str(bad)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("solidarity-bot: import refused: "), err
    assert names in err[0] and "Traceback" not in err[0]
    assert _digest(db_path) == digest
    assert asyncio.run(export_json(db_path, NOW)) == before


def test_a_good_file_with_a_tg_link_is_imported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db_path = tmp_path / "bot.sqlite3"
    good = tmp_path / "good.json"
    good.write_text(json.dumps(_demo("link", "tg://resolve?domain=solidarity")), "utf-8")
    monkeypatch.setenv("BOT_DB_PATH", str(db_path))
    assert main(["import", str(good)]) == 0
    assert "imported 1 chats and 1 demos" in capsys.readouterr().out


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "JavaScript://example.org/%0aalert(1)",
        "https://example.org/a b",
        "https://exa\u200bmple.org/",
        "file:///etc/passwd",
        "http://localhost",
        "tg:",
        "https://user:pw@example.org/",
    ],
)
def test_unsafe_links_are_refused_by_every_entrance(link: str) -> None:
    assert link_problem(link) is not None
    assert safe_link(link) is None  # feeds drop it


def test_safe_links_pass() -> None:
    for link in ("https://example.org/a?b=c", "http://x.org", "tg://resolve?domain=abc"):
        assert link_problem(link) is None and safe_link(f" {link} ") == link
