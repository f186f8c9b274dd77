"""How the change map shows a change: colour, symbol and text colour per kind.

The computation is :mod:`geo.changes` (re-exported here for the map code)."""

from __future__ import annotations

from ..changes import (CHANGE_LABELS, CHANGES, LOST_DRUG_FREE, NEWLY_DRUG_FREE, NEWLY_KEY, change_label,  # noqa: F401,E501
                       NO_LONGER_KEY, PRIORITY, UNCHANGED, change_frame, count_changes)

CHANGE_COLOURS = {NEWLY_DRUG_FREE: "#2e7d32", LOST_DRUG_FREE: "#b71c1c", NEWLY_KEY: "#ef6c00",
                  NO_LONGER_KEY: "#1565c0", UNCHANGED: "#e0e0e0"}
CHANGE_SYMBOLS = {NEWLY_DRUG_FREE: "+", LOST_DRUG_FREE: "−", NEWLY_KEY: "▲", NO_LONGER_KEY: "▼",
                  UNCHANGED: ""}
CHANGE_TEXT = {NEWLY_DRUG_FREE: "#ffffff", LOST_DRUG_FREE: "#ffffff", NEWLY_KEY: "#1a1a1a",
               NO_LONGER_KEY: "#ffffff", UNCHANGED: "#1a1a1a"}
