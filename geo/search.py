"""Commune search for the UI: accent-, case- and prefix-insensitive, new and pre-2025 names.

    >>> [h.code for h in search("ha giang 1", table)][:1]
    ['00694']
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd

from .text import fold, name_key


@dataclass(frozen=True)
class Hit:
    code: str
    name: str
    via: str = ""  # the pre-2025 commune name when matched through it
    score: int = 0


def search(query: str, table: pd.DataFrame, limit: int = 10) -> list[Hit]:
    """Units matching ``query``: the 5-digit code, the 2025 name, or a former commune's name.

    Ranking: exact name > name prefix > word prefix > substring; current names before former ones.
    """
    q = name_key(query or "")
    if not q:
        return []
    hits: dict[str, Hit] = {}

    def offer(code: str, name: str, key: str, via: str, bonus: int):
        if key == q:
            score = 100
        elif key.startswith(q):
            score = 80
        elif any(w.startswith(q) for w in key.split()) or f" {q}" in f" {key}":
            score = 60
        elif q in key:
            score = 40
        else:
            return
        score += bonus
        if code not in hits or hits[code].score < score:
            hits[code] = Hit(code, name, via, score)

    for row in table[["code", "name", "former_units"]].itertuples(index=False):
        code = str(row.code)
        if q.isdigit() and code == q.zfill(5):
            hits[code] = Hit(code, row.name, "", 200)
            continue
        offer(code, row.name, name_key(row.name), "", 5)
        for f in json.loads(row.former_units or "[]"):
            offer(code, row.name, name_key(f["name"]), f["name"], 0)
    return sorted(hits.values(), key=lambda h: (-h.score, fold(h.name)))[:limit]
