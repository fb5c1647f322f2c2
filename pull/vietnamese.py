"""Does a word read as Vietnamese? Used to tell the legacy encodings apart (``decode.py``).

A word with a Vietnamese letter is plausible when it is one syllable of the language: an
onset, a vowel group Vietnamese has, a final consonant, at most one tone mark. Text decoded
with the wrong table ("Trung taõm", "Qu¶ng", "tiÒnh") fails on most of its words; the right
table passes on nearly all of them (names and loanwords aside).
"""

from __future__ import annotations

import re
import unicodedata

_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"
_ONSET = "ngh|ng|nh|ch|gh|gi|kh|ph|th|tr|qu|[bcdđghklmnpqrstvx]"
#: vowel groups that end a syllable (no final consonant after them) ...
_OPEN = (
    "oai|oay|oeo|uây|uôi|uya|uyu|ươi|ươu|iêu|yêu|"
    "ai|ao|au|ay|âu|ây|eo|êu|ia|iu|oi|ôi|ơi|ua|ui|ưa|ưi|ưu"
)
#: ... and those a final consonant may follow (xuân, chuyện, người, huynh)
_CLOSABLE = "uyê|iê|yê|oa|oă|oe|oo|uâ|uê|uô|ươ|uy|a|ă|â|e|ê|i|o|ô|ơ|u|ư|y"
_SYLLABLE = re.compile(rf"^(?:{_ONSET})?(?:(?:{_OPEN})|(?:{_CLOSABLE})(?:ch|ng|nh|[cmnpt])?)$")
_WORD = re.compile(r"[^\W\d_]+")


def _untoned(word: str) -> tuple[str, int]:
    decomposed = unicodedata.normalize("NFD", word)
    tones = sum(1 for c in decomposed if c in _TONE_MARKS)
    bare = "".join(c for c in decomposed if c not in _TONE_MARKS)
    return unicodedata.normalize("NFC", bare), tones


def is_syllable(word: str) -> bool:
    bare, tones = _untoned(word.casefold())
    return tones <= 1 and _SYLLABLE.match(bare) is not None


def plausibility(text: str) -> tuple[float, int]:
    """(share of the non-ASCII words that are Vietnamese syllables, how many were seen).
    A symbol glued to letters ("Qu¶ng") counts as a word that is not Vietnamese."""
    words = [w for w in re.findall(r"\S+", text) if not w.isascii()]
    seen = good = 0
    for token in words:
        parts = _WORD.findall(token)
        junk = re.sub(r"[\w\s.,;:!?()\"'/%+\-–]", "", token)
        seen += 1
        if not junk and parts and all(p.isascii() or is_syllable(p) for p in parts):
            good += 1
    return (good / seen if seen else 1.0), seen
