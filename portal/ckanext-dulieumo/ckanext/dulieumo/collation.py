"""Vietnamese alphabetical order, without ICU (PyICU is not available in the portal's venv).

The alphabet is a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y; tone marks
decide only between words with the same letters, in the order of Vietnamese dictionaries:
none, huyền (`), hỏi (?), ngã (~), sắc (´), nặng (.). Code-point order instead puts every
letter with a mark after z ("Đ" after "Z", "Ả" after "A"…) and ignores case rules.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

T = TypeVar("T")

ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
_FORMED = {
    ("a", "\u0306"): "ă",
    ("a", "\u0302"): "â",
    ("e", "\u0302"): "ê",
    ("o", "\u0302"): "ô",
    ("o", "\u031b"): "ơ",
    ("u", "\u031b"): "ư",
}
#: tone marks in dictionary order (no tone = 0)
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_RANK = {c: i for i, c in enumerate(ALPHABET)}
#: letters outside the Vietnamese alphabet (f, j, w, z) sort after the nearest one before them
_EXTRA = {
    "f": _RANK["e"] + 0.5,
    "j": _RANK["i"] + 0.5,
    "w": _RANK["v"] + 0.5,
    "z": _RANK["y"] + 0.5,
}


def _letters(text: str) -> list[tuple[float, int]]:
    """(letter rank, tone) per letter of `text`; digits before letters, other signs first."""
    out: list[tuple[float, int]] = []
    for ch in unicodedata.normalize("NFD", text.casefold()):
        if unicodedata.combining(ch):
            if not out:
                continue
            rank, tone = out[-1]
            if ch in _TONES:
                out[-1] = (rank, _TONES[ch])
                continue
            base = ALPHABET[int(rank)] if rank == int(rank) and 0 <= rank < len(ALPHABET) else ""
            formed = _FORMED.get((base, ch))
            if formed:
                out[-1] = (_RANK[formed], tone)
            continue
        if ch in _RANK:
            out.append((_RANK[ch], 0))
        elif ch in _EXTRA:
            out.append((_EXTRA[ch], 0))
        elif ch.isdigit():
            out.append((-20 + int(ch) / 10, 0))
        elif ch.isspace():
            out.append((-30, 0))
        else:
            out.append((-25, 0))
    return out


def sort_key(text: str | None) -> tuple[Any, ...]:
    """A key ordering strings as a Vietnamese reader expects (letters, then tones, then case)."""
    letters = _letters(text or "")
    return (
        [rank for rank, _ in letters],
        [tone for _, tone in letters],
        unicodedata.normalize("NFC", text or ""),
    )


def sorted_vi(items: Iterable[T], key: Callable[[T], str | None], reverse: bool = False) -> list[T]:
    """`items` in Vietnamese order of `key(item)`."""
    return sorted(items, key=lambda item: sort_key(key(item)), reverse=reverse)


def sorted_dicts(items: Iterable[dict[str, Any]], *fields: str, reverse: bool = False) -> list[Any]:
    """Dicts (CKAN organisations, groups, facet items) in Vietnamese order of the first
    non-empty of `fields` (default: display_name, title, name)."""
    names = fields or ("display_name", "title", "name")

    def pick(d: dict[str, Any]) -> str:
        return next((str(d[f]) for f in names if d.get(f)), "")

    return sorted_vi(list(items), pick, reverse=reverse)
