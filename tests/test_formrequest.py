"""bot.telegram.formrequest: the fast form encoder must produce exactly httpx's (urllib's) bytes."""

from __future__ import annotations

import random
import urllib.parse

from bot.telegram.formrequest import form_encode

SAMPLES = [
    "",
    "plain",
    "two words",
    '<b>Bold</b> & <i>"quoted"</i>\n\nnew paragraph',
    "émigré — «guillemets» 🚩✊ 中文",
    "a+b=c&d=e%20f/g?h#i~j_k.l-m",
    '{"inline_keyboard": [[{"text": "More", "callback_data": "ex:m:1:4"}]]}',
    "\t\r\n\x00\x7f",
]


def test_form_encode_matches_urlencode() -> None:
    rng = random.Random(7)
    alphabet = "abcXYZ019 _.-~+&=%/<>\"'\n\té—🚩中"
    samples = SAMPLES + ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 300)))
                         for _ in range(200)]  # fmt: skip
    for text in samples:
        params = {"chat_id": "-1001234", "text": text, "parse_mode": "HTML", text[:5]: text}
        assert form_encode(params) == urllib.parse.urlencode(params).encode()
    assert form_encode({}) == b""
