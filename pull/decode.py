"""Decode an agency's bytes into UTF-8 NFC text, detecting the encoding when asked to.

UTF-8 with BOM, UTF-8 and Windows-1258 (office exports; its Vietnamese tone marks come as
combining characters, which NFC composes). Decoding is line by line on bytes, so an error
names the exact line and byte offset.
"""

from __future__ import annotations

import hashlib
import unicodedata
from pathlib import Path

from dulieumo.errors import SourceError

BOM = b"\xef\xbb\xbf"
CANDIDATES = ("utf-8", "windows-1258")
READ_CHUNK = 1 << 20


class _BadBytes(Exception):
    def __init__(self, line: int, offset: int, byte: int) -> None:
        self.line, self.offset, self.byte = line, offset, byte


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(READ_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _convert(raw: Path, out: Path, codec: str, skip_bom: bool) -> str:
    """Write the NFC UTF-8 text of `raw` into `out`; return its sha256."""
    h = hashlib.sha256()
    offset = 0
    with raw.open("rb") as src, out.open("wb") as dst:
        for number, line in enumerate(src, start=1):
            body = line[3:] if number == 1 and skip_bom and line.startswith(BOM) else line
            start = offset + (len(line) - len(body))
            try:
                text = body.decode(codec)
            except UnicodeDecodeError as exc:
                raise _BadBytes(number, start + exc.start, body[exc.start]) from None
            text = unicodedata.normalize("NFC", text.rstrip("\r\n"))
            if line.endswith(b"\n") or text:
                encoded = (text + "\n").encode("utf-8")
                dst.write(encoded)
                h.update(encoded)
            offset += len(line)
    return h.hexdigest()


def normalise(raw: Path, out: Path, declared: str, label: str) -> tuple[str, str]:
    """Decode `raw` into `out`. Returns (encoding used, sha256 of `out`)."""
    with raw.open("rb") as fh:
        head = fh.read(8192)
    if not head:
        raise SourceError(f"{label}: the file is empty.",
                          hint="Ask the agency for the export again; nothing was published.")
    if b"\x00" in head:
        raise SourceError(
            f"{label}: this is not a text (CSV) file — it contains NUL bytes "
            "(a spreadsheet or another binary file?).",
            hint="Export the table as CSV, or declare the right source type in the spec.")
    has_bom = head.startswith(BOM)
    if declared == "auto":
        order = ["utf-8-sig"] if has_bom else list(CANDIDATES)
    else:
        order = [declared]
    last: _BadBytes | None = None
    for codec in order:
        try:
            sha = _convert(raw, out, "utf-8" if codec == "utf-8-sig" else codec,
                           skip_bom=codec in ("utf-8-sig", "utf-8"))
            return codec, sha
        except _BadBytes as bad:
            last = bad
    assert last is not None
    suggestion = "windows-1258" if order[0].startswith("utf-8") else "utf-8"
    raise SourceError(
        f"{label}: line {last.line}, byte {last.offset}: byte 0x{last.byte:02x} is not valid "
        f"{order[-1] if declared == 'auto' else declared} text.",
        hint=f"Check the file's encoding; if it was saved by older office software, declare "
        f"`encoding: {suggestion}` under `source:` in the spec (or `auto`).",
    )
