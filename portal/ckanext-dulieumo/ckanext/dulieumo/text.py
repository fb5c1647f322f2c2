"""Vietnamese text folding for diacritic-insensitive search: "Bệnh viện" → "benh vien"."""

from __future__ import annotations

import re
import unicodedata

_TOKEN = re.compile(r"[0-9a-z]+")


def fold(text: str) -> str:
    """Lower-case, without tone marks or diacritics; đ/Đ become d."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", stripped).lower()


def tokens(text: str) -> list[str]:
    """Folded word tokens (letters and digits)."""
    return _TOKEN.findall(fold(text))
