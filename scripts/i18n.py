#!/usr/bin/env python3
"""Maintain the bot's gettext catalogs (Babel). Re-runnable at any time.

    python scripts/i18n.py extract      # code -> bot/locales/messages.pot
    python scripts/i18n.py update       # .pot -> each bot/locales/<lang>/LC_MESSAGES/messages.po
    python scripts/i18n.py missing [-o todo.json]   # untranslated or fuzzy entries, as JSON
    python scripts/i18n.py fill todo.json           # merge translations from JSON into the .po
    python scripts/i18n.py check        # every entry translated, same placeholders and HTML tags
    python scripts/i18n.py              # extract + update + check (the usual run)

The bot reads the .po files at runtime (bot/i18n/translate.py), so there is nothing to compile.

JSON for ``fill`` is a list of objects: ``{"id": msgid, "plural": msgid_plural or null,
"uk": "..." or ["form0", "form1", "form2"], "fr": ..., ...}``; the output of ``missing`` has
that shape with empty strings to fill in.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog, Message
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "bot" / "locales"
POT = LOCALES / "messages.pot"
DOMAIN = "messages"
LANGUAGES = ("uk", "fr", "de", "es", "ar")  # English is the source language
KEYWORDS = ("N_", "NP_:1,2", "t:2", "tn:2,3")

_PLACEHOLDER = re.compile(r"\{([a-zA-Z_][a-zA-Z0-9_]*)\}")
_TAG = re.compile(r"</?([a-zA-Z-]+)[^>]*>")


def po_path(lang: str) -> Path:
    return LOCALES / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def _pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])  # type: ignore[no-untyped-call]


def _without_dates(text: str) -> str:
    return re.sub(r'^"(POT-Creation-Date|PO-Revision-Date): .*$', "", text, flags=re.M)


def extract() -> None:
    LOCALES.mkdir(parents=True, exist_ok=True)
    before = POT.read_text(encoding="utf-8") if POT.exists() else None
    keywords: list[str] = []
    for kw in KEYWORDS:
        keywords += ["-k", kw]
    _pybabel(
        "extract",
        "-F",
        str(ROOT / "babel.cfg"),
        "--no-default-keywords",
        *keywords,
        "--project",
        "solidarity-bot",
        "--no-wrap",
        "-o",
        str(POT),
        str(ROOT),
    )
    # Paths in the template relative to the repository, so output does not depend on checkout.
    text = POT.read_text(encoding="utf-8").replace(str(ROOT) + "/", "")
    if before is not None and _without_dates(before) == _without_dates(text):
        text = before  # nothing changed: keep the old date, so re-runs leave no diff
    POT.write_text(text, encoding="utf-8")


def update() -> None:
    for lang in LANGUAGES:
        path = po_path(lang)
        if not path.exists():
            _pybabel("init", "-i", str(POT), "-d", str(LOCALES), "-D", DOMAIN, "-l", lang)
        _pybabel(
            "update",
            "-i",
            str(POT),
            "-d",
            str(LOCALES),
            "-D",
            DOMAIN,
            "-l",
            lang,
            "--ignore-obsolete",
            "--no-wrap",
        )


def _read(lang: str) -> Catalog:
    with po_path(lang).open("rb") as fh:
        return read_po(fh, locale=lang, domain=DOMAIN)


def _write(lang: str, catalog: Catalog) -> None:
    with po_path(lang).open("wb") as fh:
        write_po(fh, catalog, width=0, ignore_obsolete=True)


def _ids(message: Message) -> tuple[str, str | None]:
    if isinstance(message.id, tuple | list):
        return str(message.id[0]), str(message.id[1])
    return str(message.id), None


def _strings(message: Message) -> list[str]:
    if isinstance(message.string, tuple | list):
        return [str(s) for s in message.string]
    return [str(message.string or "")]


def _untranslated(message: Message) -> bool:
    return message.fuzzy or any(not s for s in _strings(message))


def missing(out: str | None) -> int:
    todo: dict[tuple[str, str | None], dict[str, Any]] = {}
    for lang in LANGUAGES:
        catalog = _read(lang)
        for message in catalog:
            if not message.id or not _untranslated(message):
                continue
            msgid, plural = _ids(message)
            entry = todo.setdefault((msgid, plural), {"id": msgid, "plural": plural})
            if plural is None:
                entry[lang] = ""
            else:
                entry[lang] = [""] * catalog.num_plurals
    data = json.dumps(list(todo.values()), ensure_ascii=False, indent=1)
    if out:
        Path(out).write_text(data + "\n", encoding="utf-8")
    else:
        print(data)
    print(f"{len(todo)} entries need translating", file=sys.stderr)
    return 0


def fill(source: str) -> int:
    entries = json.loads(Path(source).read_text(encoding="utf-8"))
    by_id = {(e["id"], e.get("plural")): e for e in entries}
    for lang in LANGUAGES:
        catalog = _read(lang)
        changed = 0
        for message in catalog:
            if not message.id:
                continue
            entry = by_id.get(_ids(message))
            value = entry.get(lang) if entry else None
            if not value:
                continue
            if isinstance(value, list):
                if len(value) != catalog.num_plurals:
                    print(
                        f"{lang}: {message.id!r}: need {catalog.num_plurals} forms", file=sys.stderr
                    )
                    continue
                message.string = tuple(value)
            else:
                message.string = value
            message.flags.discard("fuzzy")
            changed += 1
        _write(lang, catalog)
        print(f"{lang}: {changed} entries filled", file=sys.stderr)
    return 0


def problems(lang: str) -> list[str]:
    """Untranslated, fuzzy, or inconsistent placeholders/HTML tags in one catalog."""
    found: list[str] = []
    catalog = _read(lang)
    for message in catalog:
        if not message.id:
            continue
        msgid, plural = _ids(message)
        if _untranslated(message):
            found.append(f"{lang}: untranslated or fuzzy: {msgid[:60]!r}")
            continue
        want_ph = set(_PLACEHOLDER.findall(msgid)) | set(_PLACEHOLDER.findall(plural or ""))
        want_tags = sorted(_TAG.findall(msgid))
        for s in _strings(message):
            got_ph = set(_PLACEHOLDER.findall(s))
            if got_ph - want_ph or (plural is None and got_ph != want_ph):
                found.append(
                    f"{lang}: placeholders {sorted(got_ph)} != {sorted(want_ph)}: {msgid[:60]!r}"
                )
            if sorted(_TAG.findall(s)) != want_tags:
                found.append(f"{lang}: HTML tags differ: {msgid[:60]!r}")
    return found


def check() -> int:
    found = [p for lang in LANGUAGES for p in problems(lang)]
    for p in found:
        print(p, file=sys.stderr)
    print(f"{len(found)} problems", file=sys.stderr)
    return 1 if found else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "command",
        nargs="?",
        default="all",
        choices=["all", "extract", "update", "missing", "fill", "check"],
    )
    parser.add_argument("file", nargs="?", help="JSON file for fill")
    parser.add_argument("-o", "--output", help="where missing writes its JSON (default stdout)")
    args = parser.parse_args(argv)
    if args.command in ("all", "extract"):
        extract()
    if args.command in ("all", "update"):
        update()
    if args.command == "missing":
        return missing(args.output)
    if args.command == "fill":
        if not args.file:
            parser.error("fill needs a JSON file")
        return fill(args.file)
    if args.command in ("all", "check"):
        return check()
    return 0


if __name__ == "__main__":
    sys.exit(main())
