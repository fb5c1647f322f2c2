"""pull.decode: encoding detection, NFC, line endings, error positions, streaming hashes."""

from __future__ import annotations

import hashlib
import unicodedata
from pathlib import Path

import pytest

from dulieumo.errors import SourceError
from pull.decode import normalise
from samples.generate import windows_1258

TEXT = (
    "ma_co_so,ten,dia_chi\n"
    'KCB-00001,Bệnh viện Đa khoa tỉnh Quảng Ninh,"Phường Hồng Gai, Thành phố Hạ Long"\n'
    "KCB-00002,Trạm Y tế phường Hồng Gai,Đường Lê Thánh Tông\n"
    "KCB-00003,Trường THCS Trọng Điểm,Xã Quảng Nghĩa\n"
)
LABEL = "Dataset 'x', source samples/x.csv"


def _run(
    tmp_path: Path, data: bytes, encoding: str = "auto", chunk_size: int = 1 << 20
) -> tuple[str, bytes]:
    raw = tmp_path / "raw.csv"
    raw.write_bytes(data)
    out = tmp_path / "out.csv"
    result = normalise(raw, out, encoding, LABEL, chunk_size=chunk_size)
    body = out.read_bytes()
    assert result.raw_sha256 == hashlib.sha256(data).hexdigest()
    assert result.sha256 == hashlib.sha256(body).hexdigest()
    assert result.size == len(body)
    return result.encoding, body


def test_windows_1258_sample_really_uses_combining_tone_marks() -> None:
    data = windows_1258("Hồng Gai")
    assert data != "Hồng Gai".encode("cp1258", errors="replace")
    # ô is one byte (0xF4), the grave accent a separate combining byte (0xCC)
    assert data == b"H\xf4\xccng Gai"


@pytest.mark.parametrize(
    ("data", "declared", "detected"),
    [
        (TEXT.encode("utf-8"), "auto", "utf-8"),
        (TEXT.encode("utf-8"), "utf-8", "utf-8"),
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "auto", "utf-8-sig"),
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "utf-8-sig", "utf-8-sig"),
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "utf-8", "utf-8"),  # BOM stripped anyway
        (windows_1258(TEXT), "auto", "windows-1258"),
        (windows_1258(TEXT), "windows-1258", "windows-1258"),
        (unicodedata.normalize("NFD", TEXT).encode("utf-8"), "auto", "utf-8"),
        (TEXT.replace("\n", "\r\n").encode("utf-8"), "auto", "utf-8"),
        (windows_1258(TEXT.replace("\n", "\r\n")), "auto", "windows-1258"),
        (TEXT.replace("\n", "\r").encode("utf-8"), "auto", "utf-8"),  # old Mac line ends
        (TEXT.rstrip("\n").encode("utf-8"), "auto", "utf-8"),  # no final line end
    ],
)
def test_output_is_utf8_nfc_lf(tmp_path: Path, data: bytes, declared: str, detected: str) -> None:
    encoding, body = _run(tmp_path, data, declared)
    assert encoding == detected
    assert body == TEXT.encode("utf-8")
    text = body.decode("utf-8")
    assert unicodedata.is_normalized("NFC", text)
    assert "\r" not in text and not body.startswith(b"\xef\xbb\xbf")


@pytest.mark.parametrize("chunk_size", [1, 2, 3, 5, 7, 64])
def test_tiny_chunks_give_the_same_bytes(tmp_path: Path, chunk_size: int) -> None:
    """Chunk cuts never split a UTF-8 sequence, a CR LF or a letter from its tone mark."""
    for data in (
        b"\xef\xbb\xbf" + TEXT.replace("\n", "\r\n").encode("utf-8"),
        windows_1258(TEXT),
        TEXT.replace("\n", "\r").encode("utf-8"),
    ):
        _, body = _run(tmp_path, data, "auto", chunk_size=chunk_size)
        assert body == TEXT.encode("utf-8")


def test_quoted_field_with_line_break_is_kept(tmp_path: Path) -> None:
    data = 'ma,ghi_chu\r\n1,"Dòng một\r\nDòng hai"\r\n'.encode()
    _, body = _run(tmp_path, data)
    assert body == 'ma,ghi_chu\n1,"Dòng một\nDòng hai"\n'.encode()


def _offset_and_line(data: bytes, bad: int) -> tuple[int, int]:
    return bad, data[:bad].count(b"\n") + 1


@pytest.mark.parametrize("chunk_size", [1 << 20, 16, 3])
def test_declared_utf8_on_windows_1258_names_line_and_offset(
    tmp_path: Path, chunk_size: int
) -> None:
    data = windows_1258(TEXT)
    first_bad = next(i for i, b in enumerate(data) if b >= 0x80)
    offset, line = _offset_and_line(data, first_bad)
    assert line == 2
    with pytest.raises(SourceError) as info:
        _run(tmp_path, data, "utf-8", chunk_size=chunk_size)
    msg = str(info.value)
    assert f"{LABEL}: line {line}, byte offset {offset}: byte 0x{data[offset]:02x}" in msg
    assert "not valid utf-8" in msg
    assert "`encoding: windows-1258`" in msg  # the hint says what to declare
    assert not (tmp_path / "out.csv").exists(), "no half-written output is left behind"


def test_error_offset_counts_the_bom_and_later_lines(tmp_path: Path) -> None:
    good = "\ufeffma,ten\n1,Hạ Long\n".encode()
    data = good + b"2,C\xe2m Ph\xe3\n"  # a Windows-1258 line pasted into a UTF-8 file
    with pytest.raises(SourceError) as info:
        _run(tmp_path, data, "utf-8-sig")
    assert f"line 3, byte offset {len(good) + 3}: byte 0xe2" in str(info.value)


def test_declared_windows_1258_on_utf8_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as info:
        _run(tmp_path, TEXT.encode("utf-8"), "windows-1258")
    msg = str(info.value)
    assert "`encoding: windows-1258` is declared, but the file is UTF-8" in msg
    assert "`encoding: utf-8`" in msg


def test_declared_windows_1258_on_ascii_file_is_fine(tmp_path: Path) -> None:
    encoding, body = _run(tmp_path, b"ma,so\n1,2\n", "windows-1258")
    assert (encoding, body) == ("windows-1258", b"ma,so\n1,2\n")


def test_auto_with_bytes_neither_utf8_nor_windows_1258(tmp_path: Path) -> None:
    data = b"ma,ten\n1,abc\n2,x\x81y\n"
    with pytest.raises(SourceError) as info:
        _run(tmp_path, data)
    assert "line 3, byte offset 16: byte 0x81 is neither UTF-8 nor Windows-1258" in str(info.value)


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (b"", "the file is empty"),
        (b"\xff\xfem\x00a\x00", "UTF-16"),
        (b"PK\x03\x04\x14\x00\x00\x00", "contains NUL bytes"),
    ],
)
def test_not_csv_text(tmp_path: Path, data: bytes, needle: str) -> None:
    with pytest.raises(SourceError, match=needle):
        _run(tmp_path, data)


def test_unknown_declared_encoding(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="unknown encoding 'latin-1'"):
        _run(tmp_path, b"a\n", "latin-1")


def test_large_file_streams_with_bounded_chunks(tmp_path: Path) -> None:
    """~6 MB in 64 KiB chunks: output and hashes as if read at once."""
    row = "KCB-{:05d},Trạm Y tế xã Quảng Nghĩa,Hạ Long\r\n"
    text = "ma,ten,huyen\r\n" + "".join(row.format(i) for i in range(100_000))
    data = windows_1258(text)
    encoding, body = _run(tmp_path, data, chunk_size=1 << 16)
    assert encoding == "windows-1258"
    assert body == text.replace("\r\n", "\n").encode("utf-8")


def test_utf8_file_with_one_corrupt_byte_is_not_read_as_windows_1258(tmp_path: Path) -> None:
    """Falling back to Windows-1258 would garble every Vietnamese letter of the file."""
    good = TEXT.encode("utf-8")
    data = good + b"KCB-00004,Tr\xff\n"
    with pytest.raises(SourceError) as info:
        _run(tmp_path, data, chunk_size=16)
    msg = str(info.value)
    assert f"line 5, byte offset {len(good) + 12}: byte 0xff is not valid utf-8" in msg
    assert "the text before it is UTF-8" in msg


def test_ascii_then_windows_1258_still_falls_back(tmp_path: Path) -> None:
    data = b"ma,ten\n" * 50 + windows_1258("1,Hạ Long\n")
    encoding, body = _run(tmp_path, data, chunk_size=16)
    assert encoding == "windows-1258"
    assert body.decode("utf-8").endswith("1,Hạ Long\n")
