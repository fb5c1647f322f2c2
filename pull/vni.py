"""VNI Windows — the legacy Vietnamese encoding of the "VNI-Times" fonts, still produced by
some agencies' older spreadsheets (with TCVN3, the other one).

A VNI letter with a diacritic is a base letter followed by one or two Windows-1252
characters that the VNI fonts draw as marks: "Trung taâm Y teá" is "Trung tâm Y tế". A few
letters are one byte of their own: ơ "ô", ư "ö", đ "ñ", the toned i ("í ì æ ó ò") and ỵ "î".
Capitals use the capital marks ("TRUNG TAÂM"); a capital base with a small mark (a VNI-Times
"H" font) is still a capital.

It registers the Python codec ``vni`` (decode and encode). The table is built from the
standard's rows below (vowel × tone) and checked against a reference in tests/pull/test_vni.py.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

# tone order in each row: none, acute (sắc), grave (huyền), hook (hỏi), tilde (ngã), dot (nặng)
_ROWS = {
    "a": ("a", "aù", "aø", "aû", "aõ", "aï"),
    "â": ("aâ", "aá", "aà", "aå", "aã", "aä"),
    "ă": ("aê", "aé", "aè", "aú", "aü", "aë"),
    "e": ("e", "eù", "eø", "eû", "eõ", "eï"),
    "ê": ("eâ", "eá", "eà", "eå", "eã", "eä"),
    "i": ("i", "í", "ì", "æ", "ó", "ò"),
    "o": ("o", "où", "oø", "oû", "oõ", "oï"),
    "ô": ("oâ", "oá", "oà", "oå", "oã", "oä"),
    "ơ": ("ô", "ôù", "ôø", "ôû", "ôõ", "ôï"),
    "u": ("u", "uù", "uø", "uû", "uõ", "uï"),
    "ư": ("ö", "öù", "öø", "öû", "öõ", "öï"),
    "y": ("y", "yù", "yø", "yû", "yõ", "î"),
}
_TONES = ("", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323")


def _pairs() -> dict[str, str]:
    """Unicode letter (NFC) → its VNI characters (as Windows-1252 text)."""
    out: dict[str, str] = {"đ": "ñ", "Đ": "Ñ"}
    for base, codes in _ROWS.items():
        for tone, code in zip(_TONES, codes, strict=True):
            letter = unicodedata.normalize("NFC", base + tone)
            out[letter] = code
            out[letter.upper()] = code.upper()
    return out


ENCODE = _pairs()
#: VNI characters → Unicode; a capital base with a small mark is a capital too
DECODE: dict[str, str] = {}
for _letter, _code in ENCODE.items():
    if len(_code) > 1 or _code != _letter:
        DECODE[_code] = _letter
        if len(_code) == 2 and _code[0].isupper():
            DECODE[_code[0] + _code[1].lower()] = _letter
_PATTERN = re.compile("|".join(sorted(map(re.escape, DECODE), key=len, reverse=True)))
_UNDEFINED_1252 = (0x81, 0x8D, 0x8F, 0x90, 0x9D)


def _bytes_to_text(data: bytes) -> str:
    """Windows-1252, with its five undefined bytes read as Latin-1 (never an error)."""
    return data.decode("cp1252", errors="surrogateescape").translate(
        {0xDC00 + b: b for b in _UNDEFINED_1252}
    )


def from_vni_text(text: str) -> str:
    """VNI characters (read as Windows-1252 / Latin-1) → Unicode NFC."""
    return unicodedata.normalize("NFC", _PATTERN.sub(lambda m: DECODE[m.group(0)], text))


def to_vni_text(text: str) -> str:
    return "".join(ENCODE.get(c, c) for c in unicodedata.normalize("NFC", text))


def _decode(data: bytes, errors: str = "strict") -> tuple[str, int]:
    return from_vni_text(_bytes_to_text(bytes(data))), len(data)


def _encode(text: str, errors: str = "strict") -> tuple[bytes, int]:
    return to_vni_text(text).encode("cp1252", errors), len(text)


class _IncrementalDecoder(codecs.BufferedIncrementalDecoder):
    def _buffer_decode(  # type: ignore[override]
        self, data: bytes, errors: str, final: bool
    ) -> tuple[str, int]:
        # a letter and its mark must not be split: keep a trailing letter for the next part
        cut = len(data) if final or not data else len(data) - 1
        return _decode(data[:cut])[0], cut


def _search(name: str) -> codecs.CodecInfo | None:
    if name.replace("-", "_").lower() not in ("vni", "vni_windows"):
        return None
    return codecs.CodecInfo(
        name="vni",
        encode=_encode,
        decode=_decode,  # type: ignore[arg-type]
        incrementaldecoder=_IncrementalDecoder,
    )


codecs.register(_search)
