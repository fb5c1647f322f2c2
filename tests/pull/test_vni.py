"""Issue 16, problem 2: VNI Windows files were read as TCVN3 and published garbled.

The VNI table is checked against a reference written out letter by letter; detection tells
VNI, TCVN3 and Windows-1258 apart on real-looking files; when no reading clearly wins the
pull stops naming the plausible encodings and how to declare one; VNI text that reached a
UTF-8 file (a VNI-font sheet saved as "CSV UTF-8") is caught after decoding."""

from __future__ import annotations

import random
import re
import unicodedata
from pathlib import Path

import pytest

import pull.vni  # noqa: F401  (registers the codec)
from dulieumo.errors import SourceError
from pull import normalise, pull_source
from pull.decode import choose_legacy, legacy_scores, looks_like_vni
from pull.vietnamese import is_syllable
from pull.vni import from_vni_text, to_vni_text
from tests.pull.helpers import make_spec, read_csv
from tests.support.agency_files import FACILITIES, HEADERS, legacy_csv

# The VNI Windows table (VNI-Times font, as Windows-1252 text), one letter per entry,
# written from the published code chart: tones in the order sắc, huyền, hỏi, ngã, nặng.
REFERENCE = """
á aù à aø ả aû ã aõ ạ aï â aâ ấ aá ầ aà ẩ aå ẫ aã ậ aä ă aê ắ aé ằ aè ẳ aú ẵ aü ặ aë
é eù è eø ẻ eû ẽ eõ ẹ eï ê eâ ế eá ề eà ể eå ễ eã ệ eä
í í ì ì ỉ æ ĩ ó ị ò
ó où ò oø ỏ oû õ oõ ọ oï ô oâ ố oá ồ oà ổ oå ỗ oã ộ oä ơ ô ớ ôù ờ ôø ở ôû ỡ ôõ ợ ôï
ú uù ù uø ủ uû ũ uõ ụ uï ư ö ứ öù ừ öø ử öû ữ öõ ự öï
ý yù ỳ yø ỷ yû ỹ yõ ỵ î đ ñ
Á AÙ Ầ AÀ Ặ AË Ê EÂ Ễ EÃ Ị Ò Ơ Ô Ở ÔÛ Ư Ö Ữ ÖÕ Ỵ Î Đ Ñ
"""


def _pairs() -> list[tuple[str, str]]:
    items = REFERENCE.split()
    return [(items[i], items[i + 1]) for i in range(0, len(items), 2)]


def test_vni_table_matches_the_reference() -> None:
    pairs = _pairs()
    assert len(pairs) == 67 + 12  # every small letter with a mark (and đ), some capitals
    for letter, vni in pairs:
        letter = unicodedata.normalize("NFC", letter)
        assert letter.encode("vni") == vni.encode("cp1252"), letter
        assert vni.encode("cp1252").decode("vni") == letter, vni


def test_vni_round_trip_of_real_text() -> None:
    text = "Trung tâm Y tế thành phố Hạ Long; BỆNH VIỆN ĐA KHOA; Ưu tiên người khuyết tật"
    data = text.encode("vni")
    assert data.decode("cp1252").startswith("Trung taâm Y teá thaønh phoá Haï Long")
    assert data.decode("vni") == text


@pytest.mark.parametrize("encoding", ["vni", "tcvn3", "windows-1258"])
def test_detection_tells_the_three_legacy_encodings_apart(tmp_path: Path, encoding: str) -> None:
    raw = legacy_csv(tmp_path / "co-so.csv", encoding)
    out = tmp_path / "out.csv"
    decoded = normalise(raw, out, "auto", "Dataset 'x'", delimiter=";")
    assert decoded.encoding == encoding
    text = out.read_text(encoding="utf-8")
    assert text.splitlines()[0] == ";".join(HEADERS)
    assert all(f["ten"] in text for f in FACILITIES)


def test_vni_file_is_pulled_with_the_right_letters(tmp_path: Path) -> None:
    legacy_csv(tmp_path / "co-so.csv", "vni")
    spec = make_spec(
        tmp_path,
        {"type": "file", "path": "co-so.csv", "delimiter": ";"},
        conventions={
            "columns": dict.fromkeys(HEADERS[2:]) | {"Mã cơ sở": "ma_co_so", "Tên cơ sở": "ten"}
        },
        fields=[{"name": "ma_co_so"}, {"name": "ten"}],
    )
    table = pull_source(spec, root=tmp_path, workdir=tmp_path / "run")
    assert table.encoding == "vni"
    assert read_csv(table.path)[1:] == [[f["ma"], f["ten"]] for f in FACILITIES]


def test_unsure_detection_stops_naming_the_plausible_encodings(tmp_path: Path) -> None:
    # words that read as Vietnamese both in Windows-1258 and in VNI ("toán"/"tốn", "hoà"/"hồ")
    raw = tmp_path / "mo-ho.csv"
    raw.write_bytes("ma,ten\n1,toán hoà xoá\n2,loá toà\n".encode("cp1258"))
    scores = legacy_scores(raw.read_bytes())
    assert scores["windows-1258"][0] == scores["vni"][0] == 1.0
    with pytest.raises(SourceError) as info:
        choose_legacy(raw, "Dataset 'x'")
    msg = str(info.value) + (info.value.hint or "")
    assert "Windows-1258" in msg and "VNI" in msg and "Chưa công bố" in msg
    assert "`encoding: windows-1258`" in msg and "`encoding: vni`" in msg
    with pytest.raises(SourceError):
        normalise(raw, tmp_path / "out.csv", "auto", "Dataset 'x'")
    assert not (tmp_path / "out.csv").exists()


def test_vni_letters_in_a_utf8_file_stop_the_pull(tmp_path: Path) -> None:
    # a VNI-font spreadsheet saved as "CSV UTF-8": the cells hold "Trung taâm Y teá"
    text = "ma,ten\n1,Trung tâm Y tế Hạ Long\n".encode("vni").decode("cp1252")
    raw = tmp_path / "co-so.csv"
    raw.write_text(text, encoding="utf-8")
    assert looks_like_vni("Trung taâm") == "taâm"
    with pytest.raises(SourceError) as info:
        normalise(raw, tmp_path / "out.csv", "auto", "Dataset 'x'")
    msg = str(info.value)
    assert "dòng 2" in msg and "«ten»" in msg and "VNI" in msg and "tâm" in msg
    assert "`encoding: vni`" in (info.value.hint or "")
    # declared, the same file is converted
    decoded = normalise(raw, tmp_path / "out.csv", "vni", "Dataset 'x'")
    assert decoded.encoding == "vni"
    assert (tmp_path / "out.csv").read_text(encoding="utf-8").splitlines()[1] == (
        "1,Trung tâm Y tế Hạ Long"
    )


@pytest.mark.parametrize(
    "text",
    ["Thuê nhà, khuê các, toán học, hoà bình, Café Rosé, naïve, Muñoz", "Quỹ đất ở; Ủy ban"],
)
def test_ordinary_text_is_not_taken_for_vni(text: str) -> None:
    assert looks_like_vni(unicodedata.normalize("NFC", text)) is None


def test_a_vni_file_declared_tcvn3_stops_instead_of_publishing_garbled_text(
    tmp_path: Path,
) -> None:
    raw = legacy_csv(tmp_path / "co-so.csv", "vni")
    with pytest.raises(SourceError) as info:
        normalise(raw, tmp_path / "out.csv", "tcvn3", "Dataset 'x'", delimiter=";")
    assert "`encoding: tcvn3`" in str(info.value) and "VNI" in str(info.value)
    assert "`encoding: vni`" in (info.value.hint or "")
    assert not (tmp_path / "out.csv").exists()


MARK = re.compile("[aeiouyAEIOUYôöÔÖ][ùøûõïâáàåãäêéèúüëÙØÛÕÏÂÁÀÅÃÄÊÉÈÚÜË]|[ñÑæÆ]")
WORDS = re.compile(r"[^\W\d_]+")


def _looks_like_vni_word_by_word(text: str) -> str | None:
    """The scan as it was before issue 17 (every word in turn): the reference."""
    if MARK.search(text) is None:
        return None
    for word in WORDS.findall(text):
        if MARK.search(word) is None or is_syllable(word):
            continue
        read = from_vni_text(word)
        if read != word and all(is_syllable(p) for p in WORDS.findall(read)):
            return word
    return None


def test_the_token_scan_finds_the_same_first_word_as_the_word_by_word_scan() -> None:
    rnd = random.Random(17)
    words = [
        *["Trung", "tâm", "Y", "tế", "Hạ", "Long", "Hoàng", "khoá", "xuân", "Thuê", "Café"],
        *["naïve", "Muñoz", "Ñoâng"],
        *to_vni_text("Trung tâm Y tế huyện Đông Triều người").split(),
        "taâm",
        "Haï",
        "µg",
        "Qu¶ng",
        "x1y",
        "a_b",
        "ĐôngTriều",
        "oà",
        "N°",
        "–",
        "\u00a0",
    ]
    seps = [" ", ",", ";", "\n", '"', "1", "_", ".", "-", "\u00a0", "°", ""]
    found = 0
    for _ in range(3000):
        text = "".join(rnd.choice(words) + rnd.choice(seps) for _ in range(rnd.randrange(1, 12)))
        expected = _looks_like_vni_word_by_word(text)
        assert looks_like_vni(text) == expected, repr(text)
        found += expected is not None
    assert found > 500


@pytest.mark.parametrize("chunk_size", [16, 64, 1 << 20])
@pytest.mark.parametrize(("word", "legacy"), [("taâm", "VNI"), ("Qu¶ng", "TCVN3")])
def test_legacy_letters_are_found_in_whichever_part_of_the_file_they_are(
    tmp_path: Path, chunk_size: int, word: str, legacy: str
) -> None:
    # the letters are looked for while the file is decoded, part by part (whole lines)
    raw = tmp_path / "co-so.csv"
    for row in (2, 3, 57, 120):
        lines = ["ma,ten\n"] + [f"CS{i:05d},Trạm y tế xã {i}\n" for i in range(2, 121)]
        lines[row - 1] = f"CS{row:05d},Trung {word}\n"
        raw.write_text("".join(lines).rstrip("\n"), encoding="utf-8")
        with pytest.raises(SourceError) as info:
            normalise(raw, tmp_path / "out.csv", "auto", "Dataset 'x'", chunk_size=chunk_size)
        msg = str(info.value)
        assert legacy in msg and (f"dòng {row}," in msg or f"row {row}," in msg), msg
        assert not (tmp_path / "out.csv").exists()
