"""Search quality: top-1 / top-3 rates of plain FTS5, lexical-only, dense-only and hybrid search.

Usage: python -m bench.search_quality [--verbose] [--by-kind] [--sets NAMES] [--methods NAMES]
Builds a temporary database from the packaged corpus and runs the query sets:
tests/data/search_queries.json (``old``), tests/data/search_eval.json split into its
tuning and held-out halves, tests/data/search_eval_fresh.json, search_eval_third.json and
search_eval_fourth.json (each written blind, measured, then tuned on and made part of the
question bank) and search_eval_fifth.json, _sixth and _seventh (written blind, held out),
English and other languages apart; ``--by-kind`` splits them by kind of query.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.content.service import ContentService
from bot.content.text import words
from storage.db import Database

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
OLD = DATA / "search_queries.json"
EVAL = DATA / "search_eval.json"
#: written blind after the first held-out half had been seen too often; measured once
FRESH = DATA / "search_eval_fresh.json"
#: written blind by two engineers once the fresh set had become tuning data; measured once
#: before and once after the thesaurus and the new hints, then tuned on
THIRD = DATA / "search_eval_third.json"
#: written blind like the third, once that had become tuning data; measured twice, then
#: the source of question hints (with the third and the older sets)
FOURTH = DATA / "search_eval_fourth.json"
#: written blind like the fourth, by other engineers, once it had been measured; held out
#: (none of their queries is in the question bank, bot/data/search_bank.tsv)
FIFTH = DATA / "search_eval_fifth.json"
SIXTH = DATA / "search_eval_sixth.json"
SEVENTH = DATA / "search_eval_seventh.json"
#: the held-out sets: --verbose lists their misses only when --sets names them
HELD_OUT = ("fifth", "sixth", "seventh")

Key = tuple[str, int]
Runner = Callable[[str], Awaitable[list[Key]]]


@dataclass
class Result:
    method: str
    qset: str
    n: int
    top1: float
    top3: float
    misses: list[str]
    median_ms: float
    by_kind: dict[str, list[int]]  # kind -> [queries, first, in the top three]


def query_sets() -> dict[str, list[dict[str, Any]]]:
    """name -> queries; each query has "query" and "expected" [{slug, idx}]."""
    old: list[dict[str, Any]] = json.loads(OLD.read_text(encoding="utf-8"))["queries"]
    new: list[dict[str, Any]] = json.loads(EVAL.read_text(encoding="utf-8"))["queries"]
    sets: dict[str, list[dict[str, Any]]] = {"old (67)": old}
    for split in ("tuning", "heldout"):
        for label, pick in (("en", lambda q: q["lang"] == "en"), ("uk/ar/fr", None)):
            chosen = [
                q for q in new if q["split"] == split and (pick(q) if pick else q["lang"] != "en")
            ]
            sets[f"{split} {label} ({len(chosen)})"] = chosen
    blind = {
        "fresh": FRESH,
        "third": THIRD,
        "fourth": FOURTH,
        "fifth": FIFTH,
        "sixth": SIXTH,
        "seventh": SEVENTH,
    }
    for name, path in blind.items():
        if path.exists():
            held: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["queries"]
            for label, english in (("en", True), ("uk/ar/fr", False)):
                chosen = [q for q in held if (q["lang"] == "en") == english]
                sets[f"{name} {label} ({len(chosen)})"] = chosen
    return sets


async def evaluate(method: str, qset: str, run: Runner, queries: list[dict[str, Any]]) -> Result:
    top1 = top3 = 0
    misses: list[str] = []
    times: list[float] = []
    by_kind: dict[str, list[int]] = {}
    for q in queries:
        expected = {(str(e["slug"]), int(e["idx"])) for e in q["expected"]}
        t0 = time.perf_counter()
        got = await run(str(q["query"]))
        times.append((time.perf_counter() - t0) * 1000)
        first = bool(got[:1]) and got[0] in expected
        three = any(g in expected for g in got[:3])
        top1 += first
        top3 += three
        tally = by_kind.setdefault(str(q.get("kind", "-")), [0, 0, 0])
        tally[0] += 1
        tally[1] += first
        tally[2] += three
        if not first:
            short = [f"{s[:8]}:{i}" for s, i in got[:3]]
            misses.append(f"{q['query']!r} want {sorted(expected)} got {short}")
    n = max(len(queries), 1)
    median = statistics.median(times)
    return Result(method, qset, len(queries), top1 / n, top3 / n, misses, median, by_kind)


def methods(svc: ContentService) -> dict[str, Runner]:
    async def fts_and(text: str) -> list[Key]:
        terms = " ".join(f'"{t}"' for t in words(text)[:12]) or '""'
        return [
            (r.paragraph.slug, r.paragraph.idx) for r in await svc.repo.fts_search(terms, limit=3)
        ]

    async def fts_or(text: str) -> list[Key]:
        terms = " OR ".join(f'"{t}"' for t in words(text)[:12]) or '""'
        return [
            (r.paragraph.slug, r.paragraph.idx) for r in await svc.repo.fts_search(terms, limit=3)
        ]

    def via(mode: str) -> Runner:
        async def run(text: str) -> list[Key]:
            page = await svc.search(text, limit=3, mode=mode)
            return [(h.statement.slug, h.paragraph.index) for h in page.hits]

        return run

    return {
        "plain FTS5 bm25 (AND)": fts_and,
        "plain FTS5 bm25 (OR)": fts_or,
        "lexical only": via("lexical"),
        "dense only (wordllama)": via("dense"),
        "hybrid": via("hybrid"),
    }


async def measure(db_path: str, only_sets: list[str], only_methods: list[str]) -> list[Result]:
    db = await Database.open(db_path)
    try:
        svc = ContentService(db)
        await svc.load()
        # only the chosen sets are ever searched, warm-up included: whoever tunes on some
        # sets never runs the held-out ones unseen
        sets = {
            name: qs
            for name, qs in query_sets().items()
            if not only_sets or any(s in name for s in only_sets)
        }
        runners = methods(svc)
        for qs in sets.values():  # warm-up: vocabulary caches, the model
            for q in qs:
                await svc.search(str(q["query"]), limit=3)
        results = []
        for mname, run in runners.items():
            if only_methods and not any(m in mname for m in only_methods):
                continue
            for sname, queries in sets.items():
                svc.clear_cache()
                results.append(await evaluate(mname, sname, run, queries))
        return results
    finally:
        await db.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--verbose", action="store_true", help="list top-1 misses (held-out: if --sets names it)"
    )
    parser.add_argument("--by-kind", action="store_true", help="rates by kind of query")
    parser.add_argument("--sets", default="", help="comma-separated substrings of set names")
    parser.add_argument("--methods", default="", help="comma-separated substrings of methods")
    args = parser.parse_args(argv)
    pick = [s for s in args.sets.split(",") if s]
    meths = [m for m in args.methods.split(",") if m]
    with tempfile.TemporaryDirectory() as tmp:
        results = asyncio.run(measure(str(Path(tmp) / "bench.db"), pick, meths))
    print("| method | query set | top-1 | top-3 | median ms |")
    print("|---|---|---|---|---|")
    for r in results:
        print(f"| {r.method} | {r.qset} | {r.top1:.3f} | {r.top3:.3f} | {r.median_ms:.2f} |")
    if args.by_kind:
        print("\n| method | query set | kind | queries | first | top three |")
        print("|---|---|---|---|---|---|")
        for r in results:
            for kind, (n, first, three) in sorted(r.by_kind.items()):
                print(f"| {r.method} | {r.qset} | {kind} | {n} | {first} | {three} |")
    if args.verbose:
        for r in results:
            held = next((name for name in HELD_OUT if r.qset.startswith(name)), None)
            if held and held not in pick:  # their queries are shown only when asked by name
                continue
            print(f"\n{r.method} / {r.qset}: {len(r.misses)} top-1 misses")
            for m in r.misses:
                print("  ", m)
    return 0


if __name__ == "__main__":
    sys.exit(main())
