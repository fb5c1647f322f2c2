"""``dulieumo new <agency>/<dataset> --from <sample file>``: draft a dataset for the officer.

From one sample file the agency sent (CSV in any encoding we read, or .xlsx), write:

- ``datasets/<agency>/<dataset>.yaml`` — the spec: source, conventions (the agency's
  headers renamed to ASCII field names), metadata to fill in;
- ``schemas/<agency>/<dataset>.json`` — a Table Schema inferred by frictionless (types,
  required where the sample has no blanks, a primary key when a column is unique), with the
  agency's header as each field's title and foreign keys to the shared code lists for the
  columns named like them (ma_xa, ma_huyen, ma_co_quan, nganh_vsic);
- ``validations/<agency>/<dataset>.json`` — a starter suite (at least one row, no negative
  counts, dates not in the future).

Everything the officer must decide is marked ``TODO``; ``dulieumo catalog check`` reports
each marker left (file and field) until it is gone: ``todo_problems``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from dulieumo.catalog.models import NAME_PATTERN
from dulieumo.catalog.yaml_safe import parse_yaml
from dulieumo.errors import SpecError

from .infer import Proposal, propose

TODO = "TODO"
#: columns named like a shared code list get a foreign key to it
CODELIST_KEYS = {
    "ma_xa": ("don_vi_hanh_chinh", "ma"),
    "ma_huyen": ("don_vi_hanh_chinh", "ma"),
    "ma_co_quan": ("co_quan", "ma_dinh_danh"),
    "nganh_vsic": ("nganh_vsic", "ma_nganh"),
}
TYPES = {"integer", "number", "boolean", "date", "datetime", "year", "string"}


@dataclass(frozen=True)
class Draft:
    spec: Path
    schema: Path
    suite: Path
    fields: int
    rows: int
    todos: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "spec": self.spec.as_posix(),
            "schema": self.schema.as_posix(),
            "suite": self.suite.as_posix(),
            "fields": self.fields,
            "rows": self.rows,
            "todos": self.todos,
        }


def field_name(header: str) -> str:
    """'Số giường bệnh (giường)' → 'so_giuong_benh_giuong': ASCII, lowercase, underscores."""
    text = unicodedata.normalize("NFD", header.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"[^a-z0-9]+", "_", text).strip("_")
    if not text:
        text = "cot"
    return "f_" + text if text[0].isdigit() else text


def _unique_names(headers: list[str]) -> list[str]:
    out: list[str] = []
    for h in headers:
        name, n = field_name(h), 2
        while name in out:
            name = f"{field_name(h)}_{n}"
            n += 1
        out.append(name)
    return out


SAMPLE_MB = 20  # a large file is drafted from its first SAMPLE_MB megabytes


def _refuse_json(sample: Path, label: str) -> None:
    """JSON (an API's answer) and SQL dumps are not tables `new` can sample."""
    with sample.open("rb") as fh:
        head = fh.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    if sample.suffix.lower() in (".sql", ".dump") or head.upper().startswith(
        (b"--", b"CREATE ", b"INSERT ", b"BEGIN;", b"SET ")
    ):
        raise SpecError(
            f"{label}: tệp mẫu là lệnh SQL (bản sao cơ sở dữ liệu), không phải bảng CSV hay "
            ".xlsx; `new` không soạn đặc tả từ tệp này.",
            hint="Khai báo nguồn cơ sở dữ liệu trong tệp đặc tả: `source: {type: sql, url: "
            "postgresql://<người dùng>:${MAT_KHAU}@<máy>/<csdl>, query: SELECT …}` (xem "
            "datasets/so-ke-hoach-dau-tu/du-an-dau-tu-cong.yaml làm mẫu); hoặc xin cơ quan "
            "bản xuất CSV.",
        )
    if sample.suffix.lower() in (".json", ".geojson", ".jsonl") or head[:1] in (b"{", b"["):
        raise SpecError(
            f"{label}: tệp mẫu là JSON (câu trả lời của một API), không phải bảng CSV hay "
            ".xlsx; `new` không soạn đặc tả từ JSON.",
            hint="Khai báo nguồn API trong tệp đặc tả: `source: {type: api, url: <địa chỉ API>, "
            "records: <đường dẫn tới danh sách bản ghi, ví dụ data>, pagination: {...}}` "
            "(xem README, mục Sources, và datasets/so-ke-hoach-dau-tu/"
            "doanh-nghiep-thanh-lap-moi.yaml làm mẫu); hoặc xin cơ quan bản xuất CSV.",
        )


def _head_copy(sample: Path, target: Path, limit: int) -> bool:
    """The first ``limit`` bytes of ``sample`` cut at a line end; True when cut short."""
    with sample.open("rb") as fh:
        data = fh.read(limit + 1)
    if len(data) <= limit:
        target.write_bytes(data)
        return False
    data = data[:limit]
    target.write_bytes(data[: data.rfind(b"\n") + 1] or data)
    return True


def _read_sample(
    sample: Path, label: str, max_mb: float = SAMPLE_MB
) -> tuple[list[str], list[list[str]], str, str]:
    """(headers, rows, encoding, delimiter) of a CSV sample, decoded like a pull would (the
    first ``max_mb`` MB of a large file)."""
    from pull.decode import normalise

    with tempfile.TemporaryDirectory() as tmp:
        head = Path(tmp) / "head.bin"
        _head_copy(sample, head, int(max_mb * (1 << 20)))
        out = Path(tmp) / "sample.csv"
        decoded = normalise(head, out, "auto", label)
        text = out.read_text(encoding="utf-8")
    try:
        delimiter = csv.Sniffer().sniff(text[:20000], delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    if not rows or not any(rows[0]):
        raise SpecError(
            f"{label}: the sample file is empty.",
            hint="Ask the agency for a sample with a header row and some data.",
        )
    return rows[0], [[tidy(c) for c in r] for r in rows[1:]], decoded.encoding, delimiter


def tidy(text: str) -> str:
    from pull.output import tidy as pull_tidy

    return pull_tidy(text)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return tidy(str(value)) if isinstance(value, str) else str(value)


@dataclass
class XlsxSample:
    headers: list[str]
    rows: list[list[str]]  # data rows only: total rows and footnotes left out
    header_rows: list[int]
    sheet: str
    first_data_row: int
    totals: list[str]  # the labels of the total rows seen ("Tổng cộng")


def _read_xlsx(sample: Path, label: str) -> XlsxSample:
    """(headers, rows, header rows) of the first sheet. The data starts at the first row as
    wide as the widest of the first 40 (title rows and merged header rows are narrower);
    the header is the one or two non-empty rows right above it, joined like a pull joins
    them ("Giới tính / Nam")."""
    from openpyxl import load_workbook

    from pull.excel import is_footnote, join_header
    from pull.totals import total_label

    try:
        with sample.open("rb") as fh:
            wb = load_workbook(fh, read_only=True, data_only=True)
            sheet = wb.sheetnames[0]
            cells = [
                [_cell(v) for v in row] for row in wb.worksheets[0].iter_rows(values_only=True)
            ]
            wb.close()
    except Exception as exc:
        raise SpecError(
            f"{label}: cannot read the workbook ({type(exc).__name__}).",
            hint="Save it as Excel Workbook (.xlsx), or send a CSV.",
        ) from None

    def filled(row: list[str]) -> int:
        return sum(1 for c in row if c.strip())

    widest = max((filled(r) for r in cells[:40]), default=0)
    if widest == 0:
        raise SpecError(
            f"{label}: the workbook's first sheet is empty.",
            hint="Ask the agency for a sample with a header row and some data.",
        )
    first = next(i for i, r in enumerate(cells) if filled(r) == widest)
    above = [i for i in (first - 2, first - 1) if i >= 0 and filled(cells[i]) > 1]
    if len(above) == 2 and above[0] != first - 2:
        above = above[1:]
    if not above:  # the widest row is the header itself (a plain sheet)
        above, first = [first], first + 1
    header = join_header([cells[i] for i in above])
    rows = []
    totals: list[str] = []
    for r in cells[first:]:
        if not any(c.strip() for c in r) or is_footnote(r):
            break
        total = total_label(r)
        if total is not None:
            totals.append(total)
            continue
        rows.append((r + [""] * len(header))[: len(header)])
    return XlsxSample(header, rows, [i + 1 for i in above], sheet, first + 1, totals)


def _infer_types(names: list[str], rows: list[list[str]]) -> dict[str, str]:
    """frictionless's inference on the decoded sample (types only)."""
    from frictionless import Resource

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sample.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(names)
            writer.writerows(rows)
        resource = Resource(path=str(path))
        resource.infer()
        inferred = {f.name: f.type for f in resource.schema.fields}
    return {n: (t if t in TYPES else "string") for n, t in inferred.items()}


def draft(
    root: Path, ref: str, sample: Path, *, force: bool = False, max_mb: float = SAMPLE_MB
) -> Draft:
    """Write the three drafts for ``ref`` (``agency/dataset``) from ``sample``."""
    from dulieumo.catalog.load import load_portal

    agency, _, name = ref.strip().strip("/").rpartition("/")
    if not agency or not re.match(NAME_PATTERN, name) or not re.match(NAME_PATTERN, agency):
        raise SpecError(
            f"'{ref}' is not <agency>/<dataset> with lowercase ASCII names "
            "(letters, digits, - and _).",
            hint="For example: dulieumo new so-y-te/nha-thuoc --from nha-thuoc.csv",
        )
    portal = load_portal(root)
    orgs = [o.name for o in portal.organizations]
    if agency not in orgs:
        raise SpecError(
            f"The agency '{agency}' is not an organisation of datasets/portal.yaml "
            f"(known: {', '.join(sorted(orgs))}).",
            hint="Add it under `organizations:` in datasets/portal.yaml, or use "
            "one of the known names.",
        )
    if not sample.is_file():
        raise SpecError(
            f"The sample file '{sample}' does not exist.",
            hint="Give the path of a file the agency sent (CSV or .xlsx).",
        )
    spec_rel = Path("datasets") / agency / f"{name}.yaml"
    schema_rel = Path("schemas") / agency / f"{name}.json"
    suite_rel = Path("validations") / agency / f"{name}.json"
    existing = [p.as_posix() for p in (spec_rel, schema_rel, suite_rel) if (root / p).exists()]
    if existing and not force:
        raise SpecError(
            f"Dataset '{name}' already has {', '.join(existing)}.",
            hint="Choose another name, or pass --force to overwrite the drafts.",
        )
    others = [p for p in (root / "datasets").glob(f"*/{name}.yaml") if p.parent.name != agency]
    if others:
        raise SpecError(
            f"The dataset name '{name}' is already used by "
            f"{others[0].relative_to(root).as_posix()}.",
            hint="Dataset names are unique across the catalogue; choose another.",
        )

    label = f"Sample {sample.name}"
    is_xlsx = sample.suffix.lower() in (".xlsx", ".xlsm")
    encoding, delimiter = "auto", ","
    excel: dict[str, Any] | None = None
    totals: list[str] = []
    if is_xlsx:
        book = _read_xlsx(sample, label)
        headers, rows, totals = book.headers, book.rows, book.totals
        excel = {
            "sheet": book.sheet,
            "header_rows": book.header_rows,
            "first_data_row": book.first_data_row,
        }
    else:
        _refuse_json(sample, label)
        headers, rows, encoding, delimiter = _read_sample(sample, label, max_mb)
        headers, rows, totals = _csv_without_totals(headers, rows)
    headers = [unicodedata.normalize("NFC", h.strip()) for h in headers]
    names = _unique_names(headers)
    types = _infer_types(names, rows)
    codes = _code_fields(names, rows, types)
    proposal = propose(names, rows, {**types, **{n: "string" for n in codes}}, codes)
    schema = _schema(name, headers, names, proposal, rows)
    suite = _suite(name, schema)
    spec = _spec(
        root,
        agency,
        name,
        sample,
        headers,
        names,
        encoding,
        delimiter,
        excel,
        sorted(set(totals)),
        proposal,
        spec_rel,
        schema_rel,
        suite_rel,
    )
    for rel, text in ((spec_rel, spec), (schema_rel, _json(schema)), (suite_rel, _json(suite))):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    todos = sum(len(todo_markers(root / p)) for p in (spec_rel, schema_rel, suite_rel))
    return Draft(spec_rel, schema_rel, suite_rel, len(names), len(rows), todos)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"


def _csv_without_totals(
    headers: list[str], rows: list[list[str]]
) -> tuple[list[str], list[list[str]], list[str]]:
    from pull.totals import total_label

    kept, totals = [], []
    for r in rows:
        label = total_label(r)
        if label is None:
            kept.append(r)
        else:
            totals.append(label)
    return headers, kept, totals


def _code_fields(names: list[str], rows: list[list[str]], types: dict[str, str]) -> set[str]:
    """Fields that look like numbers but are codes ("06652", ma_…): kept as text."""
    out = set()
    for i, n in enumerate(names):
        values = [r[i] for r in rows if i < len(r)]
        if types.get(n) in ("integer", "number") and (
            n.startswith("ma_")
            or any(len(v) > 1 and v.startswith("0") and v.isdigit() for v in values)
        ):
            out.add(n)
    return out


def _composite_key(fields: list[dict[str, Any]], columns: list[Any]) -> list[str]:
    """The first two or three required columns (text, integer, date) whose values together
    are unique in the sample; [] when none."""
    from itertools import combinations

    usable = [
        i
        for i, f in enumerate(fields)
        if f.get("constraints", {}).get("required")
        and f["type"] in ("string", "integer", "date", "year")
        and i < len(columns)
    ]
    for size in (2, 3):
        for combo in combinations(usable, size):
            tuples = list(zip(*(columns[i] for i in combo), strict=True))
            if tuples and len(set(tuples)) == len(tuples):
                return [fields[i]["name"] for i in combo]
    return []


def _schema(
    name: str, headers: list[str], names: list[str], proposal: Proposal, rows: list[list[str]]
) -> dict[str, Any]:
    fields: list[dict[str, Any]] = []
    columns = list(zip(*rows, strict=False)) if rows else [() for _ in names]
    key: str | None = None
    dec = proposal.decimal_char or "."
    grp = proposal.group_char or ""
    for i, (header, fname) in enumerate(zip(headers, names, strict=True)):
        values = list(columns[i]) if i < len(columns) else []
        ftype = proposal.types.get(fname, "string")
        description = f"{TODO}: mô tả cột «{header}» bằng tiếng Việt (ý nghĩa, đơn vị)."
        field: dict[str, Any] = {
            "name": fname,
            "type": ftype,
            "title": header or f"{TODO}: tên cột",
        }
        constraints: dict[str, Any] = {}
        if values and all(v.strip() for v in values):
            constraints["required"] = True
            if key is None and ftype in ("string", "integer") and len(set(values)) == len(values):
                key = fname
        if ftype in ("integer", "number") and values:
            try:
                numbers = [
                    float(v.replace(grp, "").replace(dec, ".") if grp else v.replace(dec, "."))
                    for v in values
                    if v.strip()
                ]
                if all(x >= 0 for x in numbers):
                    constraints["minimum"] = 0
            except ValueError:
                pass
        if fname in proposal.enums and fname != key:
            constraints["enum"] = proposal.enums[fname]
            description += (
                f" {TODO}: xác nhận danh sách giá trị cho phép (enum) lấy từ tệp mẫu, thêm giá "
                "trị còn thiếu."
            )
        if fname in proposal.patterns:
            constraints["pattern"] = proposal.patterns[fname]
            description += (
                f" {TODO}: xác nhận mẫu mã (pattern {proposal.patterns[fname]}) đoán từ tệp mẫu."
            )
        if fname in proposal.notes:
            description += f" {TODO}: {proposal.notes[fname]}."
        field["description"] = description
        if constraints:
            field["constraints"] = constraints
        fields.append(field)
    keys = [key] if key else _composite_key(fields, columns)
    schema: dict[str, Any] = {
        "title": f"{TODO}: tên bảng dữ liệu",
        "description": f"{TODO}: mô tả bảng {name}: mỗi dòng là gì, phạm vi, kỳ số liệu."
        + (
            ""
            if key
            else f" {TODO}: không cột nào duy nhất trong tệp mẫu; "
            + (
                f"khóa chính đề xuất gồm {', '.join(keys)} (duy nhất trong tệp mẫu): xác nhận."
                if keys
                else "chọn khóa chính (primaryKey, có thể gồm nhiều cột)."
            )
        ),
        "fields": fields,
        "primaryKey": keys or [names[0]],
        "missingValues": [""],
    }
    fks = [
        {"fields": n, "reference": {"resource": r, "fields": c}}
        for n in names
        if (rc := CODELIST_KEYS.get(n))
        for r, c in [rc]
    ]
    if fks:
        schema["foreignKeys"] = fks
    return schema


def _suite(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    exps: list[dict[str, Any]] = [
        {
            "type": "expect_table_row_count_to_be_between",
            "kwargs": {"min_value": 1},
            "meta": {"severity": "error", "message_vi": "Tệp phải có ít nhất một dòng dữ liệu."},
        }
    ]
    for f in schema["fields"]:
        if f["type"] in ("integer", "number") and "minimum" in f.get("constraints", {}):
            exps.append(
                {
                    "type": "expect_column_values_to_be_between",
                    "kwargs": {"column": f["name"], "min_value": 0},
                    "meta": {
                        "severity": "error",
                        "message_vi": f"{TODO}: {f['title']} không được "
                        "âm — sửa câu này, thêm giới hạn trên (max_value) nếu có.",
                    },
                }
            )
        elif f["type"] in ("date",):
            exps.append(
                {
                    "type": "expect_column_values_to_be_between",
                    "kwargs": {"column": f["name"], "max_value": "today"},
                    "meta": {
                        "severity": "error",
                        "message_vi": f"{f['title']} không được ở tương lai.",
                    },
                }
            )
    return {"name": name, "expectations": exps}


def _spec(
    root: Path,
    agency: str,
    name: str,
    sample: Path,
    headers: list[str],
    names: list[str],
    encoding: str,
    delimiter: str,
    excel: dict[str, Any] | None,
    totals: list[str],
    proposal: Proposal,
    spec_rel: Path,
    schema_rel: Path,
    suite_rel: Path,
) -> str:
    try:
        path = sample.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        path = str(sample.resolve())
    source: dict[str, Any] = {"type": "file", "path": path}
    if excel is not None:
        source["excel"] = excel | ({"skip_rows": totals} if totals else {})
    else:
        source["encoding"] = encoding
        if delimiter != ",":
            source["delimiter"] = delimiter
        if totals:
            source["skip_rows"] = totals
    renamed = {h: n for h, n in zip(headers, names, strict=True) if h != n}
    conventions: dict[str, Any] = {}
    data: dict[str, Any] = {
        "title": {"vi": f"{TODO}: tên bộ dữ liệu bằng tiếng Việt"},
        "description": {"vi": f"{TODO}: mô tả cho người dân: dữ liệu gì, phạm vi, nguồn."},
        "organization": agency,
        "groups": [],
        "tags": [],
        "license": "cc-by",
        "maintainer": {"name": f"{TODO}: phòng, đơn vị đầu mối", "email": "todo@quangninh.gov.vn"},
        "frequency": "monthly",
        "source": source,
    }
    if renamed:
        conventions["columns"] = renamed
    if proposal.date_format:
        conventions["date_format"] = proposal.date_format
    if proposal.decimal_char and proposal.decimal_char != ".":
        conventions["decimal_char"] = proposal.decimal_char
    if proposal.group_char:
        conventions["group_char"] = proposal.group_char
    if conventions:
        data["conventions"] = conventions
    data["schema"] = schema_rel.as_posix()
    data["suite"] = suite_rel.as_posix()
    head = (
        f"# Drafted by `dulieumo new {agency}/{name}` from {sample.name}.\n"
        f"# {TODO}: fill in every TODO below and in {schema_rel.as_posix()} and "
        f"{suite_rel.as_posix()}; add groups (themes) from datasets/portal.yaml; check\n"
        f"# `frequency` and the maintainer's e-mail ({TODO}), then run: "
        "dulieumo catalog check\n"
    )
    return head + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


# ---------------------------------------------------------------------- TODO markers


#: a marker `new` writes: "TODO:" or "(TODO)" — the officer's own words ("không còn todo",
#: "TODOs done") are not markers
MARKER = re.compile(r"\bTODO(?::|\))|\btodo@")


def _walk(value: Any, path: str) -> list[tuple[str, str]]:
    if isinstance(value, str):
        return [(path, value)] if MARKER.search(value) else []
    out: list[tuple[str, str]] = []
    if isinstance(value, dict):
        for k, v in value.items():
            out += _walk(v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _walk(v, f"{path}[{i}]")
    return out


def todo_markers(path: Path) -> list[tuple[str, str]]:
    """``(field path, text)`` of every TODO in a spec (YAML, comments included, by line) or a
    schema / suite (JSON; a schema field is named: ``fields[2].description (so_giuong)``)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return []
    if MARKER.search(text) is None:
        return []
    out: list[tuple[str, str]] = []
    if path.suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            return [("", "TODO marker in a file that is not valid JSON")]
        for where, value in _walk(data, ""):
            m = re.match(r"fields\[(\d+)\]", where)
            fields = data.get("fields") if isinstance(data, dict) else None
            if m and isinstance(fields, list) and int(m.group(1)) < len(fields):
                where += f" ({fields[int(m.group(1))].get('name', '?')})"
            out.append((where, value))
        return out
    try:
        data = parse_yaml(text)
    except yaml.YAMLError:
        data = None
    out += _walk(data, "")
    for n, line in enumerate(text.splitlines(), start=1):
        comment = line.partition("#")[2] if "#" in line else ""
        if MARKER.search(comment):
            out.append((f"line {n}", comment.strip()))
    return out


def todo_problems(root: Path, files: list[Path]) -> list[tuple[str, str, str]]:
    """``(file, field path, message)`` for each TODO left in ``files``."""
    out = []
    for path in files:
        if not path.is_file():
            continue
        rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
        for where, value in todo_markers(path):
            shown = value if len(value) <= 90 else value[:87] + "..."
            out.append((rel, where, f"TODO left for the officer: {shown!r}; fill it in"))
    return out
