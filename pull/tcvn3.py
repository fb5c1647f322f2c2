"""TCVN3 (ABC, TCVN 5712:1993) — the legacy 8-bit Vietnamese encoding of the ".Vn" fonts.

No well-kept converter exists on PyPI, so this module holds the mapping itself, written as
the standard's table: lowercase vowels with their five tones, the seven base capitals (Ă Â
Ê Ô Ơ Ư Đ), and the toned capitals of the VN1 variant (some at control-code positions,
never used in text otherwise: TAB, LF and CR stay what they are). Files made with the ABC
fonts (".VnTime") have no toned capitals: their "H" fonts (".VnTimeH") draw lowercase codes
as capitals, so such bytes decode to lowercase letters — the bytes carry no case.

It registers the Python codec ``tcvn3`` (decode and encode), and ``looks_like_tcvn3`` finds
TCVN3 bytes that were read as Latin-1 / Windows-125x and saved as Unicode ("Qu¶ng Ninh").
"""

from __future__ import annotations

import codecs
import re
import unicodedata

# tone order in each row: none, grave (huyền), hook (hỏi), tilde (ngã), acute (sắc), dot (nặng)
_LOWER = {
    "a": (0x61, 0xB5, 0xB6, 0xB7, 0xB8, 0xB9),
    "ă": (0xA8, 0xBB, 0xBC, 0xBD, 0xBE, 0xC6),
    "â": (0xA9, 0xC7, 0xC8, 0xC9, 0xCA, 0xCB),
    "e": (0x65, 0xCC, 0xCE, 0xCF, 0xD0, 0xD1),
    "ê": (0xAA, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6),
    "i": (0x69, 0xD7, 0xD8, 0xDC, 0xDD, 0xDE),
    "o": (0x6F, 0xDF, 0xE1, 0xE2, 0xE3, 0xE4),
    "ô": (0xAB, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9),
    "ơ": (0xAC, 0xEA, 0xEB, 0xEC, 0xED, 0xEE),
    "u": (0x75, 0xEF, 0xF1, 0xF2, 0xF3, 0xF4),
    "ư": (0xAD, 0xF5, 0xF6, 0xF7, 0xF8, 0xF9),
    "y": (0x79, 0xFA, 0xFB, 0xFC, 0xFD, 0xFE),
}
# VN1 capitals (None: not in the standard, the H-font lowercase code is used)
_UPPER = {
    "A": (0x41, 0x80, 0x81, 0x82, 0x83, 0x84),
    "Ă": (0xA1, 0xAF, 0xBA, 0xBF, 0xC0, 0x85),
    "Â": (0xA2, 0xC1, 0xC2, 0xC3, 0xC4, 0x86),
    "E": (0x45, 0x87, 0x88, 0x89, 0x8A, 0x8B),
    "Ê": (0xA3, 0xC5, 0xCD, 0xD9, 0xDA, 0x8C),
    "I": (0x49, 0x8D, 0x8E, 0x8F, 0x90, 0x91),
    "O": (0x4F, 0x92, 0x93, 0x94, 0x95, 0x96),
    "Ô": (0xA4, 0xDB, 0xE0, 0xF0, 0xFF, 0x97),
    "Ơ": (0xA5, 0x98, 0x99, 0x9A, 0x9B, 0x9C),
    "U": (0x55, 0x9D, 0x9E, 0x9F, 0x01, 0x02),
    "Ư": (0xA6, 0x04, 0x05, 0x06, 0x11, 0x12),
    "Y": (0x59, 0x13, 0x14, 0x15, 0x16, 0x17),
}
_TONES = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
_OTHER = {
    0xAE: "đ",
    0xA7: "Đ",
    # VN1 combining tone marks
    0xB0: "\u0300",
    0xB1: "\u0309",
    0xB2: "\u0303",
    0xB3: "\u0301",
    0xB4: "\u0323",
}


def _table() -> str:
    chars = [chr(b) for b in range(256)]  # ASCII and the rest: as Latin-1
    for rows in (_LOWER, _UPPER):
        for base, codes in rows.items():
            for tone, code in zip(_TONES, codes, strict=True):
                chars[code] = unicodedata.normalize("NFC", base + tone)
    for code, char in _OTHER.items():
        chars[code] = char
    return "".join(chars)


DECODING_TABLE = _table()
_ENCODING_TABLE = codecs.charmap_build(DECODING_TABLE)


def _encode(text: str, errors: str = "strict") -> tuple[bytes, int]:
    return codecs.charmap_encode(unicodedata.normalize("NFC", text), errors, _ENCODING_TABLE)


def _decode(data: bytes, errors: str = "strict") -> tuple[str, int]:
    return codecs.charmap_decode(data, errors, DECODING_TABLE)


class _IncrementalDecoder(codecs.IncrementalDecoder):
    def decode(self, input: bytes, final: bool = False) -> str:  # type: ignore[override]
        return codecs.charmap_decode(input, self.errors, DECODING_TABLE)[0]


def _search(name: str) -> codecs.CodecInfo | None:
    if name.replace("-", "_") not in ("tcvn3", "tcvn_3"):
        return None
    return codecs.CodecInfo(
        name="tcvn3",
        encode=_encode,
        decode=_decode,  # type: ignore[arg-type]
        incrementaldecoder=_IncrementalDecoder,
    )


codecs.register(_search)

# Characters that TCVN3 text shows when read as Latin-1/Windows-125x, that Vietnamese Unicode
# text does not use (its own letters — á, à, ê, ô … — are left out: they prove nothing).
_MARKERS = "¡¢£¤¥¦§¨ª¬\u00ad¶·¸¹¼½¾ÆÇËÎÏÑÖØÜÞßäåæçëîïñöøûüþ"
_INSIDE = "«»×÷"  # also quotes and maths signs: count them only inside a word (b»ng, ch×a)
_BEFORE = "©®"  # also © and ®: count them only before a letter (®­êng, c©y; not Vinpearl®)
_L = r"[^\W\d_]"  # a letter (Unicode)
_MARKER_WORD = re.compile(
    rf"{_L}[{_MARKERS}]|[{_MARKERS}]{_L}"  # a marker touching a letter: Qu¶ng, §iÖn
    rf"|{_L}[{_INSIDE}]{_L}|[{_BEFORE}][{_MARKERS}]?{_L}"
    rf"|(?<!{_L})µ(?![gmslMS]){_L}|{_L}µ"
)  # µ: "à", but µg/m³ is a unit
_ANY_MARKER = re.compile(rf"[{_MARKERS}{_INSIDE}{_BEFORE}µ]")


def looks_like_tcvn3(text: str) -> str | None:
    """The first word of ``text`` that reads like TCVN3 shown as Latin-1, else None."""
    if _ANY_MARKER.search(text) is None:  # fast path: almost all text
        return None
    match = _MARKER_WORD.search(text)
    if match is None:
        return None
    start, end = match.start(), match.end()
    while start > 0 and not text[start - 1].isspace() and text[start - 1] not in ',;"':
        start -= 1
    while end < len(text) and not text[end].isspace() and text[end] not in ',;"':
        end += 1
    return text[start:end]
