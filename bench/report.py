"""Write one benchmark's section into docs/performance.md, leaving other sections alone."""

from __future__ import annotations

import os
import re
import statistics
from pathlib import Path

PERF = Path(__file__).resolve().parent.parent / "docs" / "performance.md"
HEADER = (
    "# Performance\n\n"
    "Measured by the scripts in `bench/` on the development machine (2 cores). Every figure is\n"
    "a median unless stated otherwise, beside a baseline measured in the same run. Re-run a\n"
    "section with the command it names; each script rewrites only its own section.\n"
)


def write_section(name: str, markdown: str, path: Path = PERF) -> None:
    """Replace (or append) the block between this benchmark's markers."""
    text = path.read_text(encoding="utf-8") if path.exists() else HEADER
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = f"{start}\n{markdown.strip()}\n{end}"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) by linear interpolation."""
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[max(0, min(98, int(q) - 1))]


def pin(cpu: int) -> bool:
    """Pin this process to one CPU (the bot to 0, its fake Telegram to 1) where possible."""
    if not hasattr(os, "sched_setaffinity") or (os.cpu_count() or 1) < 2:
        return False
    os.sched_setaffinity(0, {cpu})
    return True
