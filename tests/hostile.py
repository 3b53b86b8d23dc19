"""Pieces of text hostile users (or broken clients) send, shared by the hostile-input suites."""

from __future__ import annotations

HOSTILE_PIECES = [
    "\x00",
    "\u200b",  # zero-width space
    "\u200d",  # zero-width joiner
    "\u202e",  # right-to-left override
    "\u2066",  # left-to-right isolate
    "\ufeff",
    "مرحبا بالعالم",
    "👩‍👩‍👧‍👦",
    "🏳️‍🌈",
    "<script>alert(1)</script>",
    "<b>",
    "</i>",
    "&amp;",
    "&#0;",
    "&",
    "<a href='javascript:alert(1)'>x</a>",
    "*bold* _it_ `code` [l](http://x)",
    "|",
    "region=",
    "'; DROP TABLE chats; --",
]
