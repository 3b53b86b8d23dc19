"""Search quality: top-1 / top-3 hit rates of plain FTS5 bm25 vs. the full pipeline.

Usage: python -m bench.search_quality [--verbose] [--markdown]
Builds a temporary database from the packaged corpus and runs tests/data/search_queries.json.
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

from bot.content.corpus import Paragraph
from bot.content.service import ContentService, words
from storage.db import Database

QUERIES = Path(__file__).resolve().parent.parent / "tests" / "data" / "search_queries.json"


@dataclass
class Result:
    name: str
    top1: float
    top3: float
    n: int
    misses: list[str]
    median_ms: float
    p95_ms: float


def load_queries() -> list[dict[str, object]]:
    data = json.loads(QUERIES.read_text(encoding="utf-8"))
    queries: list[dict[str, object]] = data["queries"]
    return queries


async def _evaluate(
    name: str,
    run: Callable[[str], Awaitable[list[tuple[str, int]]]],
    queries: list[dict[str, object]],
) -> Result:
    top1 = top3 = 0
    misses: list[str] = []
    times: list[float] = []
    for q in queries:
        text = str(q["query"])
        expected = {(str(e["slug"]), int(e["idx"])) for e in q["expected"]}  # type: ignore[attr-defined]
        t0 = time.perf_counter()
        got = await run(text)
        times.append((time.perf_counter() - t0) * 1000)
        if got[:1] and got[0] in expected:
            top1 += 1
        if any(g in expected for g in got[:3]):
            top3 += 1
        else:
            misses.append(f"{text!r} -> {got[:3]}")
    times.sort()
    n = len(queries)
    return Result(
        name=name,
        top1=top1 / n,
        top3=top3 / n,
        n=n,
        misses=misses,
        median_ms=statistics.median(times),
        p95_ms=times[min(n - 1, int(n * 0.95))],
    )


async def measure(db_path: str) -> tuple[Result, Result, Result]:
    db = await Database.open(db_path)
    try:
        svc = ContentService(db)
        await svc.load()
        queries = load_queries()

        def key(p: Paragraph, slug: str) -> tuple[str, int]:
            return (slug, p.index)

        async def baseline(text: str) -> list[tuple[str, int]]:
            rows = await svc.repo.fts_search(
                " ".join(f'"{t}"' for t in words(text)[:12]) or '""',
                limit=3,
            )
            return [(r.paragraph.slug, r.paragraph.idx) for r in rows]

        async def baseline_or(text: str) -> list[tuple[str, int]]:
            terms = [f'"{t}"' for t in words(text)[:12]]
            rows = await svc.repo.fts_search(" OR ".join(terms) or '""', limit=3)
            return [(r.paragraph.slug, r.paragraph.idx) for r in rows]

        async def pipeline(text: str) -> list[tuple[str, int]]:
            page = await svc.search(text, limit=3)
            return [key(h.paragraph, h.statement.slug) for h in page.hits]

        # warm-up (vocabulary caches), then measure
        for q in queries:
            await svc.search(str(q["query"]))
        base = await _evaluate("plain FTS5 bm25 (implicit AND)", baseline, queries)
        base_or = await _evaluate("plain FTS5 bm25 (words ORed)", baseline_or, queries)
        full = await _evaluate("full pipeline", pipeline, queries)
        return base, base_or, full
    finally:
        await db.close()


def run(db_path: str | None = None) -> tuple[Result, Result, Result]:
    if db_path is not None:
        return asyncio.run(measure(db_path))
    with tempfile.TemporaryDirectory() as tmp:
        return asyncio.run(measure(str(Path(tmp) / "bench.db")))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--verbose", action="store_true", help="list the top-3 misses")
    args = parser.parse_args(argv)
    results = run()
    print("| method | queries | top-1 | top-3 | median ms | p95 ms |")
    print("|---|---|---|---|---|---|")
    for r in results:
        cells = [r.name, str(r.n), f"{r.top1:.3f}", f"{r.top3:.3f}"]
        cells += [f"{r.median_ms:.2f}", f"{r.p95_ms:.2f}"]
        print("| " + " | ".join(cells) + " |")
    if args.verbose:
        for r in results:
            print(f"\n{r.name}: {len(r.misses)} top-3 misses")
            for m in r.misses:
                print("  ", m)
    return 0


if __name__ == "__main__":
    sys.exit(main())
