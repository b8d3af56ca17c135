"""Pine script ids: only published `PUB;…` scripts can have invite-only access managed."""

from __future__ import annotations

import re

from tradedeck.tradingview.errors import BadPineId

PINE_ID = re.compile(r"^PUB;[A-Za-z0-9]+$")
USUAL_LENGTH = 32


def validate_pine_id(pine_id: str) -> str:
    """The id stripped, or BadPineId: `USER;…`/`STD;…`, a missing `PUB;` or odd characters
    are refused before anything is sent (private and built-in scripts cannot be shared)."""
    value = pine_id.strip()
    if not PINE_ID.match(value):
        raise BadPineId(
            "A Pine script id looks like PUB;3be120ba74944ca7b32ad644f40aaff2 (published "
            "scripts only; USER; and STD; ids cannot be shared).",
            field="pine_id",
        )
    return value


def pine_id_warning(pine_id: str) -> str | None:
    """Ids are 32 characters after `PUB;`; other lengths are usually typos, so warn."""
    length = len(pine_id) - len("PUB;")
    if length != USUAL_LENGTH:
        return f"This id has {length} characters after PUB; (usually {USUAL_LENGTH}): check it."
    return None
