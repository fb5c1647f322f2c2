"""TCVN3 (ABC): the codec on real words, auto-detection, and TCVN3 text inside UTF-8 files."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from dulieumo.errors import SourceError
from pull import pull_source
from pull.tcvn3 import DECODING_TABLE, looks_like_tcvn3
from tests.pull.helpers import make_spec

# every vowel with every tone, the base capitals, and place names of the province
WORDS = [
    "a à ả ã á ạ",
    "ă ằ ẳ ẵ ắ ặ",
    "â ầ ẩ ẫ ấ ậ",
    "e è ẻ ẽ é ẹ",
    "ê ề ể ễ ế ệ",
    "i ì ỉ ĩ í ị",
    "o ò ỏ õ ó ọ",
    "ô ồ ổ ỗ ố ộ",
    "ơ ờ ở ỡ ớ ợ",
    "u ù ủ ũ ú ụ",
    "ư ừ ử ữ ứ ự",
    "y ỳ ỷ ỹ ý ỵ",
    "đ Đ Ă Â Ê Ô Ơ Ư",
    "Quảng Ninh",
    "Hạ Long",
    "Móng Cái",
    "Uông Bí",
    "Cẩm Phả",
    "Đông Triều",
    "Vân Đồn",
    "Bệnh viện Đa khoa tỉnh",
    "Trường Tiểu học Hồng Gai",
    "Thường xuyên",
    "Mường Khương",
    "Khách sạn Mường Thanh Luxury Hạ Long",
    "Trạm Y tế xã Quảng Nghĩa",
    "Nguyễn Thị Hữu",
]
# capitals with tones exist only in the VN1 variant (at these bytes); ABC files write them
# with the lowercase codes of the ".VnTimeH" fonts
CAPITALS = {
    "À": 0x80,
    "Ả": 0x81,
    "Ấ": 0xC4,
    "Ỗ": 0xF0,
    "Ố": 0xFF,
    "Ụ": 0x02,
    "Ự": 0x12,
    "Ỵ": 0x17,
    "Ề": 0xC5,
}


@pytest.mark.parametrize("word", WORDS)
def test_round_trip_of_real_words(word: str) -> None:
    data = word.encode("tcvn3")
    assert data != word.encode("utf-8")
    assert all(b < 0x80 or b >= 0xA1 for b in data)  # ABC letters, no VN1-only bytes
    decoded = data.decode("tcvn3")
    assert decoded == word and unicodedata.is_normalized("NFC", decoded)


def test_known_bytes() -> None:
    assert b"Qu\xb6ng Ninh".decode("tcvn3") == "Quảng Ninh"
    assert b"\xa7\xb5 N\xbdng".decode("tcvn3") == "Đà Nẵng"
    assert b"M\xad\xeang Kh\xad\xacng".decode("tcvn3") == "Mường Khương"
    assert b"H\xb9 Long".decode("tcvn3") == "Hạ Long"
    for char, byte in CAPITALS.items():
        assert bytes([byte]).decode("tcvn3") == char
    assert b"a\tb\r\nc".decode("tcvn3") == "a\tb\r\nc"  # controls used by CSV stay


@pytest.mark.skipif(shutil.which("iconv") is None, reason="needs iconv")
def test_table_agrees_with_glibc_tcvn5712() -> None:
    """An independent reference: glibc's TCVN5712-1 converter, byte by byte."""
    for byte in list(range(0x01, 0x20)) + list(range(0x80, 0x100)):
        out = subprocess.run(
            ["iconv", "-f", "TCVN5712-1", "-t", "UTF-8"],
            input=bytes([byte]),
            capture_output=True,
            check=True,
        ).stdout
        assert unicodedata.normalize("NFC", out.decode()) == DECODING_TABLE[byte], hex(byte)


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Tỉnh Qu¶ng Ninh", "Qu¶ng"),
        ("§iÖn lùc", "§iÖn"),
        ("B¸t X¸t", "B¸t"),
        ("Th\xadêng xuyªn", "Th\xadêng"),
        ("®\xadêng Lª Lîi", "®\xadêng"),
        ("c©y xanh", "c©y"),
    ],
)
def test_detects_tcvn3_shown_as_latin1(text: str, word: str) -> None:
    assert looks_like_tcvn3(text) == word


@pytest.mark.parametrize(
    "text",
    [
        "Quảng Ninh",
        "PM2.5 đạt 25 µg/m³",
        "«Vịnh Hạ Long»",
        "Nhiệt độ 25°C",
        "3×4 m",
        "Café Hạ Long",
        "Bệnh viện Bãi Cháy",
        "",
        "Tấm 30cm×20cm",
        "Vinpearl® Resort",
        "© 2025 Sở Du lịch",
    ],
)
def test_unicode_vietnamese_is_not_tcvn3(text: str) -> None:
    assert looks_like_tcvn3(text) is None


TEXT = "ma_co_so,ten\nKCB-1,Bệnh viện Đa khoa tỉnh Quảng Ninh\nKCB-2,Trạm Y tế phường Hồng Gai\n"
FIELDS = [{"name": "ma_co_so", "type": "string"}, {"name": "ten", "type": "string"}]


def _pull(tmp_path: Path, data: bytes, encoding: str) -> tuple[Path, str]:
    (tmp_path / "x.csv").write_bytes(data)
    spec = make_spec(
        tmp_path, {"type": "file", "path": "x.csv", "encoding": encoding}, fields=FIELDS
    )
    table = pull_source(spec, root=tmp_path, workdir=tmp_path / "run")
    return table.path, table.encoding


@pytest.mark.parametrize("declared", ["tcvn3", "auto"])
def test_tcvn3_file_becomes_unicode(tmp_path: Path, declared: str) -> None:
    out, encoding = _pull(tmp_path, TEXT.replace("\n", "\r\n").encode("tcvn3"), declared)
    assert encoding == "tcvn3"
    assert out.read_text(encoding="utf-8") == TEXT


def test_declared_tcvn3_reads_a_utf8_export_of_a_vntime_sheet(tmp_path: Path) -> None:
    """Excel's "CSV UTF-8" of a .VnTime sheet: UTF-8 bytes of the Latin-1 characters."""
    mojibake = TEXT.encode("tcvn3").decode("latin-1")
    out, encoding = _pull(tmp_path, b"\xef\xbb\xbf" + mojibake.encode("utf-8"), "tcvn3")
    assert encoding == "tcvn3"
    assert out.read_text(encoding="utf-8") == TEXT


def test_declared_tcvn3_but_the_file_is_unicode(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as info:
        _pull(tmp_path, TEXT.encode("utf-8"), "tcvn3")
    msg = str(info.value)
    assert "line 2" in msg and "`encoding: tcvn3` is declared" in msg and "'ệ'" in msg
    assert not (tmp_path / "run" / "co-so-y-te.csv").exists()


@pytest.mark.parametrize("declared", ["auto", "utf-8"])
def test_tcvn3_text_inside_a_utf8_file(tmp_path: Path, declared: str) -> None:
    """One cell pasted from a .VnTime sheet into an otherwise Unicode file."""
    bad = TEXT + "KCB-3," + "Tr¹m Y tÕ x· Qu¶ng NghÜa" + "\n"
    with pytest.raises(SourceError) as info:
        _pull(tmp_path, bad.encode("utf-8"), declared)
    msg = str(info.value)
    assert "Dataset 'co-so-y-te', source x.csv: row 4, column «ten»: 'Tr¹m'" in msg
    assert "TCVN3" in msg and "read as UTF-8" in msg
    assert "`encoding: tcvn3`" in msg and "export it again" in msg
    assert not (tmp_path / "run" / "co-so-y-te.csv").exists()  # nothing to validate, publish


def test_windows_1258_declared_on_a_tcvn3_file(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as info:
        _pull(tmp_path, TEXT.encode("tcvn3"), "windows-1258")
    assert "read as Windows-1258" in str(info.value)
    assert "row 2, column «ten»" in str(info.value)
