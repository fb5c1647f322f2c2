"""Decode an agency's bytes into UTF-8 NFC text, detecting the encoding when asked to.

Encodings seen in practice: UTF-8 with BOM (Excel's "CSV UTF-8"), plain UTF-8, and
Windows-1258 (older office software; its Vietnamese tone marks are stored as *combining*
characters, which NFC composes into the precomposed letters everyone else uses).

The file is streamed in chunks cut at line ends, so memory stays bounded for files of
several GB; the sha256 of the raw bytes and of the normalised output are computed in the
same pass. A decoding error names the line and the byte offset in the raw file and says
which ``encoding:`` to declare instead.

Detection (``encoding: auto``): a UTF-8 BOM → ``utf-8-sig``; bytes that are valid UTF-8 →
``utf-8``; anything else is one of the legacy encodings ``windows-1258``, ``tcvn3`` or ``vni``
(VNI Windows, ``pull/vni.py``): the first 256 KB are read with each, and the one whose words
are Vietnamese syllables (``pull/vietnamese.py``) wins; when no reading clearly wins the pull
stops naming the plausible ones and the ``encoding:`` to declare. TCVN3 letters in text read
as Windows-1258 ("Qu¶ng Ninh") also give ``tcvn3``.

A guard after decoding: TCVN3 or VNI letters shown as Windows-1252 characters ("Qu¶ng",
"Trung taâm") in a file read as UTF-8 or Windows-1258 stop the pull with the row and column.

``encoding: tcvn3`` reads TCVN3 bytes (``pull/tcvn3.py``), and also a UTF-8 file whose cells
hold TCVN3 letters as Latin-1 characters (a ".VnTime" spreadsheet exported as "CSV UTF-8").
TCVN3 letters found in a file read as UTF-8 or Windows-1258 stop the pull with the row and
column, instead of publishing "Qu¶ng Ninh".
"""

from __future__ import annotations

import codecs
import csv
import functools
import hashlib
import os
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dulieumo.errors import SourceError

from .tcvn3 import DECODING_TABLE, looks_like_tcvn3
from .vietnamese import is_syllable, plausibility
from .vni import from_vni_text

BOM = codecs.BOM_UTF8
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
ENCODINGS = ("auto", "utf-8", "utf-8-sig", "windows-1258", "tcvn3", "vni")
TCVN3_IN_UTF8 = "tcvn3-in-utf-8"  # UTF-8 text whose characters are TCVN3 codes
VNI_IN_UTF8 = "vni-in-utf-8"  # UTF-8 text whose characters are VNI codes (as Latin-1)
#: the legacy single-byte encodings detection chooses between, as the spec names them
LEGACY = {"windows-1258": "cp1258", "tcvn3": "tcvn3", "vni": "vni"}
LEGACY_NAMES = {
    "windows-1258": "Windows-1258",
    "tcvn3": 'TCVN3 (ABC, ".VnTime")',
    "vni": 'VNI Windows ("VNI-Times")',
}
SAMPLE = 256 << 10  # bytes read to tell the legacy encodings apart
#: Latin-1 / Windows-1252 characters → the TCVN3 letter of the same byte
_TCVN3_CHARS = {ord(bytes([b]).decode("latin-1")): DECODING_TABLE[b] for b in range(0x80, 0x100)}
_TCVN3_CHARS |= {
    ord(bytes([b]).decode("cp1252")): DECODING_TABLE[b]
    for b in range(0x80, 0xA0)
    if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}
CHUNK = 1 << 20  # 1 MiB


@dataclass(frozen=True)
class Decoded:
    """The result of normalising one raw file."""

    encoding: str  # the encoding the raw bytes were read with
    raw_sha256: str
    sha256: str  # of the normalised output
    size: int  # bytes of the normalised output
    lines: int


class _BadBytes(Exception):
    def __init__(self, line: int, offset: int, byte: int, codec: str, after_text: bool) -> None:
        super().__init__(f"line {line}, offset {offset}")
        self.line, self.offset, self.byte, self.codec = line, offset, byte, codec
        #: non-ASCII text decoded fine before the bad byte (a UTF-8 file with one bad byte)
        self.after_text = after_text


class _LooksUtf8(Exception):
    pass


class _NotTcvn3(Exception):
    def __init__(self, line: int, char: str) -> None:
        super().__init__(f"line {line}")
        self.line, self.char = line, char


_VNI_MARK = re.compile("[aeiouyAEIOUYôöÔÖ][ùøûõïâáàåãäêéèúüëÙØÛÕÏÂÁÀÅÃÄÊÉÈÚÜË]|[ñÑæÆ]")
_WORDS = re.compile(r"[^\W\d_]+")


#: UTF-8 bytes with every ASCII byte that is no letter made a space: the words of the text
#: are the letters of its space-separated tokens (``_WORDS`` never matches a digit, "_" or
#: ASCII punctuation, and a multi-byte character has no ASCII byte)
_TOKENS = bytes(b if b >= 0x80 or chr(b).isalpha() else 0x20 for b in range(256))
#: the lead byte of every character a VNI mark ends with (U+00C0-U+00FF in UTF-8)
_MARK_BYTE = b"\xc3"


def looks_like_vni(text: str) -> str | None:
    """The first word of ``text`` that is VNI text shown as Windows-1252 ("taâm", "Ñoâng"):
    not Vietnamese as it stands, a Vietnamese syllable once read as VNI.

    Each distinct token is looked at once, in the order of its first occurrence (so the
    first such word still comes first), and a word's verdict is kept (``_is_vni_word``):
    agency files repeat the same few hundred words."""
    if _VNI_MARK.search(text) is None:  # fast path
        return None
    data = text.encode("utf-8", "surrogatepass")
    for token in dict.fromkeys(data.translate(_TOKENS).split()):
        if _MARK_BYTE not in token:  # no VNI mark in it
            continue
        for word in _WORDS.findall(token.decode("utf-8", "surrogatepass")):
            if _is_vni_word(word):
                return word
    return None


@functools.lru_cache(maxsize=1 << 16)
def _is_vni_word(word: str) -> bool:
    if _VNI_MARK.search(word) is None or is_syllable(word):
        return False
    read = from_vni_text(word)
    return read != word and all(is_syllable(p) for p in _WORDS.findall(read))


def _from_tcvn3_chars(text: str, line: int) -> str:
    """UTF-8 text holding TCVN3 codes as Latin-1/Windows-1252 characters → Unicode."""
    for i, char in enumerate(text):
        if ord(char) > 0xFF and ord(char) not in _TCVN3_CHARS:
            raise _NotTcvn3(line + _line_ends(text[:i].encode()), char)
    return text.translate(_TCVN3_CHARS)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _line_ends(data: bytes) -> int:
    """How many lines end in ``data`` (LF, CR LF or a lone CR)."""
    return data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")


def _parts(path: Path, chunk_size: int) -> Iterator[tuple[bytes, bytes]]:
    """Yield (raw bytes read, bytes to decode) with every decode part ending at a line end.

    Cutting at a line end means a multi-byte character, a CR LF pair or a letter and its
    combining tone mark are never split between two parts.
    """
    buf = b""
    with path.open("rb") as fh:
        while True:
            chunk = fh.read(chunk_size)
            if chunk:
                buf += chunk
            if not chunk:
                if buf:
                    yield chunk, buf
                return
            cut = buf.rfind(b"\n")
            if cut == -1:  # old Mac exports end lines with CR alone; a final CR may be CR LF
                cut = buf.rfind(b"\r", 0, len(buf) - 1)
            if cut == -1:
                yield chunk, b""
                continue
            yield chunk, buf[: cut + 1]
            buf = buf[cut + 1 :]


def _convert(
    raw: Path,
    out: Path,
    codec: str,
    *,
    check_utf8: bool,
    chunk_size: int,
    scan: _Scan | None = None,
) -> Decoded:
    """Write the NFC, LF, UTF-8 text of ``raw`` into ``out`` (atomically); ``scan`` looks at
    the text written, part by part (each part whole lines)."""
    raw_hash, out_hash = hashlib.sha256(), hashlib.sha256()
    size = 0
    line = 1  # line number of the first byte of the current part
    offset = 0  # raw-file offset of the first byte of the current part
    non_ascii = False
    seen_text = False
    first = True
    ends_with_newline = True
    tmp = out.with_name(out.name + ".part")
    try:
        with tmp.open("wb") as dst:
            for chunk, part in _parts(raw, chunk_size):
                raw_hash.update(chunk)
                if not part:
                    continue
                body, skipped = part, 0
                if (
                    first
                    and part.startswith(BOM)
                    and codec in ("utf-8", TCVN3_IN_UTF8, VNI_IN_UTF8)
                ):
                    body, skipped = part[len(BOM) :], len(BOM)
                first = False
                try:
                    in_utf8 = codec in (TCVN3_IN_UTF8, VNI_IN_UTF8)
                    text = body.decode("utf-8" if in_utf8 else codec)
                    if codec == TCVN3_IN_UTF8:
                        text = _from_tcvn3_chars(text, line)
                    elif codec == VNI_IN_UTF8:
                        text = from_vni_text(text)
                except UnicodeDecodeError as exc:
                    at = exc.start
                    decoded_text = seen_text or not body[:at].isascii()
                    raise _BadBytes(
                        line + _line_ends(body[:at]),
                        offset + skipped + at,
                        body[at],
                        codec,
                        decoded_text,
                    ) from None
                seen_text = seen_text or not body.isascii()
                if check_utf8 and not body.isascii():
                    non_ascii = True
                    try:
                        body.decode("utf-8")
                    except UnicodeDecodeError:
                        check_utf8 = False  # really a single-byte file
                if "\r" in text:
                    text = text.replace("\r\n", "\n").replace("\r", "\n")
                text = unicodedata.normalize("NFC", text)  # returns NFC input unchanged, fast
                if scan is not None:
                    scan(text)
                data = text.encode("utf-8")
                dst.write(data)
                out_hash.update(data)
                size += len(data)
                ends_with_newline = data.endswith(b"\n") if data else ends_with_newline
                line += _line_ends(part)
                offset += len(part)
            if not ends_with_newline:
                dst.write(b"\n")
                out_hash.update(b"\n")
                size += 1
        if check_utf8 and non_ascii:
            raise _LooksUtf8()
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return Decoded(codec, raw_hash.hexdigest(), out_hash.hexdigest(), size, line)


def _is_utf8(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(CHUNK):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _sniff(raw: Path, label: str) -> bytes:
    with raw.open("rb") as fh:
        head = fh.read(8192)
    if not head:
        raise SourceError(
            f"{label}: the file is empty.",
            hint="Ask the agency for the export again; nothing was published.",
        )
    if head.startswith(UTF16_BOMS):
        raise SourceError(
            f'{label}: the file is UTF-16 text (Excel\'s "Unicode Text"), not a CSV in '
            "UTF-8 or Windows-1258.",
            hint='Save the table again as "CSV UTF-8 (Comma delimited)".',
        )
    if b"\x00" in head:
        raise SourceError(
            f"{label}: this is not a text (CSV) file — it contains NUL bytes "
            "(a spreadsheet or another binary file?).",
            hint="Export the table as CSV, or declare the right source type in the spec.",
        )
    return head


def find_tcvn3(
    path: Path, delimiter: str = ",", looks: Any = looks_like_tcvn3
) -> tuple[int, str, str] | None:
    """(row, column, word) of the first cell of a normalised CSV holding TCVN3 letters
    (or, with ``looks=looks_like_vni``, VNI letters) shown as Windows-1252 characters."""
    scan = _Scan((looks,))
    with path.open(encoding="utf-8", newline="") as fh:
        tail = ""
        while not all(scan.seen) and (chunk := fh.read(CHUNK)):
            scan(tail + chunk)
            tail = chunk[-64:]
    return scan.cells(path, delimiter)[0]


class _Scan:
    """Which of ``looks`` find legacy letters shown as Windows-1252 characters in a text
    read part by part (whole lines, or parts overlapping by more than a word); then the
    first cell holding them, for each that did."""

    def __init__(self, looks: Sequence[Callable[[str], str | None]]) -> None:
        self.looks = looks
        self.seen = [False] * len(looks)

    def __call__(self, text: str) -> None:
        for k, look in enumerate(self.looks):
            if not self.seen[k] and look(text) is not None:
                self.seen[k] = True

    def cells(self, path: Path, delimiter: str) -> list[tuple[int, str, str] | None]:
        return [
            _first_cell(path, delimiter, look) if seen else None
            for look, seen in zip(self.looks, self.seen, strict=True)
        ]


def _first_cell(
    path: Path, delimiter: str, looks: Callable[[str], str | None]
) -> tuple[int, str, str] | None:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter=delimiter)
        header: list[str] = []
        for number, row in enumerate(reader, start=1):
            header = header or row
            for i, cell in enumerate(row):
                word = looks(cell)
                if word is not None:
                    column = header[i] if i < len(header) and number > 1 else f"#{i + 1}"
                    return number, column or f"#{i + 1}", word
    return None


def _reads_better_as_vni(path: Path) -> bool:
    """Text with letters of both legacy tables shown as Windows-1252 ("Haï" is TCVN3-looking
    too): the table under which more of its words are Vietnamese."""
    with path.open(encoding="utf-8") as fh:
        text = fh.read(SAMPLE)
    as_vni = plausibility(from_vni_text(text))[0]
    as_tcvn3 = plausibility(unicodedata.normalize("NFC", text.translate(_TCVN3_CHARS)))[0]
    return as_vni > as_tcvn3


def _vni_error(label: str, hit: tuple[int, str, str], read_as: str) -> SourceError:
    row, column, word = hit
    where = "dòng tiêu đề" if row == 1 else f"dòng {row}"
    return SourceError(
        f"{label}: {where}, cột «{column}»: «{word}» là chữ tiếng Việt theo bảng mã cũ VNI "
        f"Windows (phông «VNI-Times»), đọc đúng là «{from_vni_text(word)}», nhưng tệp đang "
        f"được đọc theo {read_as}; công bố sẽ ra chữ lỗi phông. Chưa công bố gì.",
        hint="Khai báo `encoding: vni` trong mục `source:` của tệp đặc tả (chuyển cả tệp sang "
        "Unicode), hoặc đề nghị cơ quan chuyển bảng tính sang Unicode (ví dụ công cụ chuyển mã "
        "của Unikey, VNI Windows → Unicode) rồi xuất lại.",
    )


def _tcvn3_error(label: str, hit: tuple[int, str, str], read_as: str) -> SourceError:
    row, column, word = hit
    where = "the header row" if row == 1 else f"row {row}"
    return SourceError(
        f"{label}: {where}, column «{column}»: '{word}' is Vietnamese text in the old TCVN3 "
        f'(ABC, ".VnTime" font) encoding, but the file is read as {read_as}; publishing it '
        "would show garbled letters.",
        hint="Declare `encoding: tcvn3` under `source:` in the dataset spec (it converts the "
        "whole file to Unicode), or ask the agency to convert the spreadsheet to Unicode "
        "(e.g. Unikey's converter, TCVN3 → Unicode) and export it again.",
    )


def _sample(raw: Path) -> bytes:
    with raw.open("rb") as fh:
        data = fh.read(SAMPLE)
    cut = data.rfind(b"\n")
    return data[: cut + 1] if cut > 0 and len(data) == SAMPLE else data


def legacy_scores(data: bytes) -> dict[str, tuple[float, int]]:
    """encoding → (share of the non-ASCII words that read as Vietnamese, words seen)."""
    out = {}
    for name, codec in LEGACY.items():
        try:
            text = unicodedata.normalize("NFC", data.decode(codec))
        except UnicodeDecodeError:
            out[name] = (0.0, 0)
            continue
        out[name] = plausibility(text)
    return out


def choose_legacy(raw: Path, label: str) -> str:
    """Windows-1258, TCVN3 or VNI for a file that is not UTF-8: the one whose reading gives
    Vietnamese words. Raises SourceError naming the plausible ones when unsure."""
    scores = legacy_scores(_sample(raw))
    seen = max(n for _, n in scores.values())
    if seen < 3:  # too few words to tell: the guards after decoding still look at every cell
        return "windows-1258"
    ranked = sorted(LEGACY, key=lambda n: -scores[n][0])  # stable: 1258, tcvn3, vni on ties
    if all(scores[n][0] < 0.5 for n in LEGACY) and "windows-1258" in ranked[:1]:
        return "windows-1258"  # no reading is Vietnamese: not a Vietnamese legacy file
    best, second = ranked[0], ranked[1]
    if scores[best][0] >= 0.75 and scores[best][0] - scores[second][0] >= 0.2:
        return best
    plausible = [n for n in ranked if scores[n][0] >= 0.5] or ranked[:2]
    shown = "; ".join(
        f"{LEGACY_NAMES[n]}: {round(100 * scores[n][0])}% trong {scores[n][1]} từ đọc ra tiếng Việt"
        for n in plausible
    )
    raise SourceError(
        f"{label}: tệp không phải UTF-8 và không xác định chắc được bảng mã; có thể là "
        f"{shown}. Chưa công bố gì (đoán sai sẽ công bố chữ lỗi phông).",
        hint="Mở tệp, xem cách đọc nào ra đúng chữ, rồi khai báo trong mục `source:` của tệp "
        f"đặc tả: {' hoặc '.join(f'`encoding: {n}`' for n in plausible)}; hoặc đề nghị cơ "
        'quan lưu bảng dưới dạng "CSV UTF-8".',
    )


def _check_declared(raw: Path, declared: str, label: str) -> None:
    """A declared legacy encoding another one clearly reads better (a VNI file declared
    `encoding: tcvn3` would publish "Trung taõm"): stop before anything is converted."""
    scores = legacy_scores(_sample(raw))
    best = max(LEGACY, key=lambda n: scores[n][0])
    if (
        best != declared
        and scores[best][1] >= 3
        and scores[best][0] >= 0.75
        and scores[best][0] - scores[declared][0] >= 0.2
    ):
        raise SourceError(
            f"{label}: tệp khai báo `encoding: {declared}` nhưng là {LEGACY_NAMES[best]}: "
            f"đọc theo {LEGACY_NAMES[best]}, {round(100 * scores[best][0])}% số từ là tiếng "
            f"Việt; theo {LEGACY_NAMES[declared]} chỉ {round(100 * scores[declared][0])}%. "
            "Chưa công bố gì (công bố sẽ ra chữ lỗi phông).",
            hint=f"Khai báo `encoding: {best}` (hoặc `auto`) trong mục `source:` của tệp đặc tả.",
        )


def normalise(
    raw: Path,
    out: Path,
    declared: str,
    label: str,
    *,
    chunk_size: int = CHUNK,
    delimiter: str = ",",
) -> Decoded:
    """Decode ``raw`` (declared encoding or ``auto``) into ``out``: UTF-8, NFC, LF, no BOM.

    Raises SourceError naming ``label``, the line and the byte offset of the first byte that
    the encoding cannot decode, and the ``encoding:`` value to declare instead.
    """
    if declared not in ENCODINGS:
        raise SourceError(
            f"{label}: unknown encoding '{declared}'.",
            hint=f"Declare one of: {', '.join(ENCODINGS)}.",
        )
    head = _sniff(raw, label)
    has_bom = head.startswith(BOM)
    if declared == "auto":
        order = ["utf-8-sig"] if has_bom else ["utf-8", "legacy"]
    elif declared == "tcvn3" and _is_utf8(raw):
        order = [TCVN3_IN_UTF8]
    elif declared == "vni" and _is_utf8(raw):
        order = [VNI_IN_UTF8]
    else:
        order = [declared]
    if declared in ("tcvn3", "vni") and not _is_utf8(raw):  # 1258: the guards after decoding
        _check_declared(raw, declared, label)
    bad: _BadBytes | None = None
    looks_utf8 = False
    for name in order:
        if name == "legacy":  # not UTF-8: which of the legacy encodings?
            name = choose_legacy(raw, label)
        codec = {"utf-8": "utf-8", "utf-8-sig": "utf-8", "windows-1258": "cp1258"}.get(name, name)
        try:
            scan = (
                _Scan((looks_like_tcvn3, looks_like_vni))
                if name in ("utf-8", "utf-8-sig", "windows-1258")
                else None
            )
            result = _convert(
                raw,
                out,
                codec,
                check_utf8=declared == "windows-1258",
                chunk_size=chunk_size,
                scan=scan,
            )
            if scan is not None:
                read_as = "UTF-8" if name != "windows-1258" else "Windows-1258"
                hit, vni = scan.cells(out, delimiter)
                if hit is not None and vni is not None and _reads_better_as_vni(out):
                    hit = None
                if hit is not None and declared == "auto" and name == "windows-1258":
                    name = "tcvn3"
                    result = _convert(raw, out, "tcvn3", check_utf8=False, chunk_size=chunk_size)
                elif hit is not None:
                    out.unlink(missing_ok=True)
                    raise _tcvn3_error(label, hit, read_as)
                elif vni is not None:
                    out.unlink(missing_ok=True)
                    raise _vni_error(label, vni, read_as)
        except _NotTcvn3 as exc:
            raise SourceError(
                f"{label}: line {exc.line}: `encoding: tcvn3` is declared, but the file is "
                f"UTF-8 text with the Unicode letter '{exc.char}', which TCVN3 does not have "
                "(the file mixes Unicode and TCVN3 text, or is not TCVN3).",
                hint="Ask the agency to convert the spreadsheet to Unicode and export it as "
                '"CSV UTF-8"; or declare `encoding: utf-8` if the file is Unicode.',
            ) from None
        except _BadBytes as exc:
            bad = exc
            if declared == "auto" and exc.codec == "utf-8" and exc.after_text:
                break  # UTF-8 text with a corrupt byte: reading it as Windows-1258 would garble it
            if declared == "windows-1258" and _is_utf8(raw):
                looks_utf8 = True
                break
            continue
        except _LooksUtf8:
            looks_utf8 = True
            break
        name = {TCVN3_IN_UTF8: "tcvn3", VNI_IN_UTF8: "vni"}.get(name, name)
        return Decoded(name, result.raw_sha256, result.sha256, result.size, result.lines)
    if looks_utf8:
        suggested = "utf-8-sig" if has_bom else "utf-8"
        raise SourceError(
            f"{label}: `encoding: windows-1258` is declared, but the file is UTF-8 text; "
            "reading it as Windows-1258 would garble every Vietnamese letter.",
            hint=f"Declare `encoding: {suggested}` (or `auto`) under `source:` in the "
            "dataset spec.",
        )
    assert bad is not None
    tried = {"cp1258": "windows-1258", "tcvn3": "tcvn3", "vni": "vni"}.get(bad.codec, "utf-8")
    where = f"{label}: line {bad.line}, byte offset {bad.offset}: byte 0x{bad.byte:02x}"
    if declared == "auto" and bad.codec == "cp1258":
        raise SourceError(
            f"{where} is neither UTF-8 nor Windows-1258 text.",
            hint='Ask the agency to save the table as "CSV UTF-8"; legacy font encodings '
            "(TCVN3, VNI) must be converted first.",
        )
    if declared == "auto":  # UTF-8 text up to a corrupt byte
        raise SourceError(
            f"{where} is not valid utf-8, although the text before it is UTF-8 "
            "(a damaged or hand-edited file?).",
            hint="Ask the agency for a clean export; declare `encoding: windows-1258` only if "
            "the whole file really is Windows-1258.",
        )
    suggestion = "windows-1258" if bad.codec == "utf-8" else "utf-8"
    raise SourceError(
        f"{where} is not valid {tried} text (declared `encoding: {declared}`).",
        hint=f"The file is probably {'Windows-1258' if suggestion == 'windows-1258' else 'UTF-8'}"
        f": declare `encoding: {suggestion}` (or `auto`) under `source:` in the dataset spec, "
        'or ask the agency to save it as "CSV UTF-8".',
    )
