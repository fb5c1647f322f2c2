"""Finding 9: bounded work on hostile input — a header of 900,000 columns, a "billion laughs"
YAML, a source path outside the catalogue, and quarantined inputs readable by others."""

from __future__ import annotations

import json
import os
import resource
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from dulieumo.catalog import load_catalog
from dulieumo.errors import SpecError
from tests.support.catalog import REPO_ROOT, copy_catalog, edit_spec
from tests.support.cli import json_out, run

DATASET = "co-so-luu-tru"
ORG = "so-du-lich"
WIDE_COLUMNS = 900_000
#: peak RSS allowed for `dulieumo validate` of the wide file (the old code passed 9 GB)
PEAK_RSS_MB = 1_200
#: the child's address space: the old code fails fast with MemoryError instead of taking the
#: machine's memory
ADDRESS_SPACE = 4 << 30


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return copy_catalog(tmp_path / "cat", only=(DATASET,))


def source_csv(root: Path) -> Path:
    return root / "samples" / ORG / f"{DATASET}.csv"


# ------------------------------------------------------------------------ (a) column cap

CHILD = textwrap.dedent(
    """
    import atexit, resource, sys
    resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
    atexit.register(lambda: print(
        "PEAK_KB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr
    ))
    sys.argv = ["dulieumo", "validate", "{dataset}", "--json"]
    from app.cli import main
    main()
    """
)


def test_a_header_of_900000_columns_fails_fast_with_bounded_memory(
    root: Path, tmp_path: Path
) -> None:
    csv = source_csv(root)
    csv.write_text(
        ",".join(f"c{i}" for i in range(WIDE_COLUMNS)) + "\n" + "1,2,3\n", encoding="utf-8"
    )
    assert csv.stat().st_size > 7_000_000
    env = {
        **os.environ,
        "DULIEUMO_ROOT": str(root),
        "DULIEUMO_WORK_DIR": str(tmp_path / "work"),
    }
    proc = subprocess.run(
        [sys.executable, "-c", CHILD.format(limit=ADDRESS_SPACE, dataset=DATASET)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=REPO_ROOT,
    )
    peak_kb = [int(line.split()[1]) for line in proc.stderr.splitlines() if "PEAK_KB" in line]
    assert peak_kb, proc.stderr[-3000:]
    assert proc.returncode == 2, proc.stdout[-2000:] + proc.stderr[-3000:]
    out = json_out(proc)
    text = json.dumps(out, ensure_ascii=False)
    assert "900,000 columns" in text, text[:2000]
    assert DATASET in text and f"{DATASET}.csv" in text  # dataset and file named
    print(f"peak RSS of the child: {peak_kb[0] // 1024} MB")
    assert peak_kb[0] < PEAK_RSS_MB * 1024, f"peak RSS {peak_kb[0] // 1024} MB"


def test_validate_stage_refuses_a_wide_header_itself(tmp_path: Path) -> None:
    """The same cap in the validation stage (a table handed to it without the pull)."""
    from validate.findings import Report
    from validate.schema import load_schema
    from validate.table import check_table

    schema = load_schema(REPO_ROOT / "schemas" / ORG / f"{DATASET}.json", root=REPO_ROOT)
    wide = tmp_path / "wide.csv"
    wide.write_text(",".join(f"c{i}" for i in range(200_000)) + "\n", encoding="utf-8")
    report = Report(DATASET, "wide.csv")
    checked = check_table(wide, schema, report, file="wide.csv")
    assert not checked.structure_ok
    (finding,) = report.findings
    assert finding.code == "source-error" and "200,000 cột" in finding.message


@pytest.mark.slow
def test_a_header_within_the_cap_is_still_validated(root: Path, tmp_path: Path) -> None:
    """Extra columns under the cap are findings, not a refusal."""
    csv = source_csv(root)
    lines = csv.read_text(encoding="utf-8").splitlines()
    csv.write_text(
        "\n".join([lines[0] + ",thua_1,thua_2"] + [x + ",," for x in lines[1:]]) + "\n",
        encoding="utf-8",
    )
    proc = run("validate", DATASET, "--json", root=root, env={"DULIEUMO_WORK_DIR": str(tmp_path)})
    assert "columns; the schema has" not in proc.stdout + proc.stderr
    assert "extra-label" in proc.stdout or "schema-drift" in proc.stdout, proc.stdout[-2000:]


# ------------------------------------------------------------------- (b) YAML aliases

LAUGHS = (
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
    )
    + "lols: *i\n"
)


def bounded(*args: str, root: Path, limit: int = 2 << 30) -> subprocess.CompletedProcess[str]:
    """Run in a child whose address space is capped: an unbounded expansion fails there
    (MemoryError) instead of taking the machine's memory."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return subprocess.run(
        list(args),
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "DULIEUMO_ROOT": str(root)},
        cwd=REPO_ROOT,
        preexec_fn=cap,
    )


LOAD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from dulieumo.catalog import load_catalog
    from dulieumo.errors import SpecError
    try:
        load_catalog(Path(sys.argv[1])).get(sys.argv[2])
    except SpecError as exc:
        print(exc)
        sys.exit(3)
    """
)


def test_billion_laughs_spec_is_refused_naming_the_file(root: Path) -> None:
    spec = root / "datasets" / ORG / f"{DATASET}.yaml"
    spec.write_text(spec.read_text(encoding="utf-8") + "\n" + LAUGHS, encoding="utf-8")
    proc = bounded(sys.executable, "-c", LOAD, str(root), DATASET, root=root)
    assert proc.returncode == 3, proc.stdout + proc.stderr[-2000:]
    assert f"datasets/{ORG}/{DATASET}.yaml" in proc.stdout and "alias" in proc.stdout


def test_billion_laughs_catalog_check_is_quick_and_clear(root: Path) -> None:
    spec = root / "datasets" / ORG / f"{DATASET}.yaml"
    spec.write_text(spec.read_text(encoding="utf-8") + "\n" + LAUGHS, encoding="utf-8")
    dulieumo = str(Path(sys.executable).with_name("dulieumo"))
    proc = bounded(dulieumo, "catalog", "check", "--json", root=root)
    assert proc.returncode == 1, proc.stdout + proc.stderr[-2000:]
    problems = json_out(proc)
    assert any(
        p["file"] == f"datasets/{ORG}/{DATASET}.yaml" and "alias" in p["message"] for p in problems
    ), problems


def test_billion_laughs_portal_yaml_is_refused(root: Path) -> None:
    portal = root / "datasets" / "portal.yaml"
    portal.write_text(portal.read_text(encoding="utf-8") + "\n" + LAUGHS, encoding="utf-8")
    proc = bounded(sys.executable, "-c", LOAD, str(root), DATASET, root=root)
    assert proc.returncode == 3, proc.stdout + proc.stderr[-2000:]
    assert "datasets/portal.yaml" in proc.stdout and "alias" in proc.stdout


# ------------------------------------------------------------ (c) source path confinement

OUTSIDE = "../../../../../../../../etc/passwd"


@pytest.mark.slow
def test_source_path_outside_the_catalogue_is_refused_and_never_read(
    root: Path, tmp_path: Path
) -> None:
    edit_spec(root, DATASET, lambda d: d["source"].update(path=OUTSIDE))
    work = tmp_path / "work"
    env = {"DULIEUMO_WORK_DIR": str(work)}
    proc = run("validate", DATASET, "--json", root=root, env=env)
    assert proc.returncode != 0
    text = proc.stdout + proc.stderr
    assert "outside the catalogue" in text and "source.path" in text, text[-2000:]
    assert "root:x:0:0" not in text
    check = json_out(run("catalog", "check", "--json", root=root))
    assert any(p["path"] == "source.path" and p["severity"] == "error" for p in check), check
    # nothing of the file reached the work folder (quarantine, reports, normalised copy)
    for path in work.rglob("*") if work.exists() else []:
        if path.is_file():
            assert b"root:x:0:0" not in path.read_bytes(), path

    proc = run("publish", DATASET, "--json", root=root, env=env)
    assert proc.returncode != 0
    assert "outside the catalogue" in proc.stdout + proc.stderr
    assert not (work / "quarantine").exists() or not any((work / "quarantine").rglob("*.csv"))
    for path in work.rglob("*") if work.exists() else []:
        if path.is_file():
            assert b"root:x:0:0" not in path.read_bytes(), path


def test_source_path_through_a_symlink_out_is_refused(root: Path) -> None:
    link = root / "samples" / ORG / "link.csv"
    link.symlink_to("/etc/passwd")
    edit_spec(root, DATASET, lambda d: d["source"].update(path=f"samples/{ORG}/link.csv"))
    with pytest.raises(SpecError, match="outside the catalogue"):
        load_catalog(root).get(DATASET)


def test_an_allowed_folder_may_be_added(root: Path, tmp_path: Path, monkeypatch) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "x.csv").write_bytes(source_csv(root).read_bytes())
    edit_spec(root, DATASET, lambda d: d["source"].update(path=str(drop / "x.csv")))
    with pytest.raises(SpecError, match="DULIEUMO_SOURCE_DIRS"):
        load_catalog(root).get(DATASET)
    monkeypatch.setenv("DULIEUMO_SOURCE_DIRS", str(drop))
    assert load_catalog(root).get(DATASET).source.path == drop / "x.csv"


# -------------------------------------------------------------- (d) quarantine is private


@pytest.mark.slow
def test_quarantined_files_are_private(root: Path, tmp_path: Path) -> None:
    csv = source_csv(root)
    text = csv.read_text(encoding="utf-8")
    assert ",NHA_NGHI,0,7,193," in text
    csv.write_text(text.replace(",NHA_NGHI,0,7,193,", ",NHA_NGHI,0,bảy,193,", 1), encoding="utf-8")
    work = tmp_path / "work"
    proc = run("validate", DATASET, root=root, env={"DULIEUMO_WORK_DIR": str(work)})
    assert proc.returncode == 1, proc.stdout + proc.stderr
    # a real run quarantines the rejected input (a dry run keeps nothing: issue 16)
    proc = run("publish", DATASET, root=root, env={"DULIEUMO_WORK_DIR": str(work)})
    assert proc.returncode == 1, proc.stdout + proc.stderr
    base = work / "quarantine"
    files = [p for p in base.rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"input.csv", "report.json", "report.html"}, files
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    for folder in [base, *(p for p in base.rglob("*") if p.is_dir())]:
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
