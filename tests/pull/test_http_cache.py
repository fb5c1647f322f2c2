"""HTTP conditional requests: an unchanged source is not downloaded again (local server
counting full downloads); a changed one is; ETag and Last-Modified both work."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from dulieumo.errors import SourceUnavailable
from pull import pull_source
from tests.pull.helpers import Request, make_spec, serve

BODY = "ma_co_so,ten\nKCB-1,Bệnh viện Bãi Cháy\n".encode()
FIELDS = [{"name": "ma_co_so", "type": "string"}, {"name": "ten", "type": "string"}]


class Agency:
    """A file whose version the test changes; counts 200 (full) and 304 answers."""

    def __init__(self, validator: str) -> None:
        self.body, self.version, self.validator = BODY, 1, validator
        self.full = self.not_modified = 0

    def __call__(self, req: Request) -> tuple[int, dict[str, str], bytes]:
        etag = f'"v{self.version}"'
        modified = f"Mon, 0{self.version} Dec 2025 00:00:00 GMT"
        if (self.validator == "etag" and req.headers.get("if-none-match") == etag) or (
            self.validator == "last-modified" and req.headers.get("if-modified-since") == modified
        ):
            self.not_modified += 1
            return 304, {}, b""
        self.full += 1
        headers = {"Content-Type": "text/csv"}
        headers["ETag" if self.validator == "etag" else "Last-Modified"] = (
            etag if self.validator == "etag" else modified
        )
        return 200, headers, self.body


@pytest.mark.parametrize("validator", ["etag", "last-modified"])
def test_unchanged_source_is_not_downloaded_again(
    tmp_path: Path, work_root: Path, validator: str
) -> None:
    agency = Agency(validator)
    with serve({"/co-so.csv": agency}) as server:
        spec = make_spec(
            tmp_path, {"type": "http", "url": f"{server.url}/co-so.csv"}, fields=FIELDS
        )
        first = pull_source(spec, root=tmp_path, workdir=tmp_path / "run1")
        second = pull_source(spec, root=tmp_path, workdir=tmp_path / "run2")
        assert (agency.full, agency.not_modified) == (1, 1)
        assert not first.not_modified and second.not_modified
        assert second.raw_sha256 == first.raw_sha256 == hashlib.sha256(BODY).hexdigest()
        assert second.path.read_bytes() == first.path.read_bytes()
        assert (tmp_path / "run2" / "source.raw").read_bytes() == BODY
        cached = list((work_root / "cache" / "http").glob("*/body"))
        assert [p.read_bytes() for p in cached] == [BODY]

        agency.body, agency.version = BODY + "KCB-2,Trạm Y tế\n".encode(), 2
        third = pull_source(spec, root=tmp_path, workdir=tmp_path / "run3")
        assert (agency.full, agency.not_modified) == (2, 1)
        assert not third.not_modified and "Trạm Y tế" in third.path.read_text("utf-8")
        fourth = pull_source(spec, root=tmp_path, workdir=tmp_path / "run4")
        assert (agency.full, agency.not_modified) == (2, 2)
        assert fourth.raw_sha256 == third.raw_sha256


def test_request_carries_the_validator(tmp_path: Path) -> None:
    agency = Agency("etag")
    with serve({"/co-so.csv": agency}) as server:
        spec = make_spec(
            tmp_path, {"type": "http", "url": f"{server.url}/co-so.csv"}, fields=FIELDS
        )
        pull_source(spec, root=tmp_path, workdir=tmp_path / "a")
        pull_source(spec, root=tmp_path, workdir=tmp_path / "b")
        assert [r.headers.get("if-none-match") for r in server.seen] == [None, '"v1"']


def test_without_validators_nothing_is_cached(tmp_path: Path, work_root: Path) -> None:
    with serve({"/x.csv": lambda r: (200, {}, BODY)}) as server:
        spec = make_spec(tmp_path, {"type": "http", "url": f"{server.url}/x.csv"}, fields=FIELDS)
        pull_source(spec, root=tmp_path, workdir=tmp_path / "a")
        pull_source(spec, root=tmp_path, workdir=tmp_path / "b")
        assert len(server.seen) == 2
        assert all("if-none-match" not in r.headers for r in server.seen)
    assert not (work_root / "cache" / "http").exists()


def test_lost_cache_with_a_304_is_transient(tmp_path: Path, work_root: Path) -> None:
    """A 304 to an unconditional request (a broken proxy) must not publish nothing."""
    with serve({"/x.csv": lambda r: (304, {}, b"")}) as server:
        spec = make_spec(tmp_path, {"type": "http", "url": f"{server.url}/x.csv"}, fields=FIELDS)
        with pytest.raises(SourceUnavailable, match="304"):
            pull_source(spec, root=tmp_path, workdir=tmp_path / "a")


def test_headers_from_the_environment_are_sent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AGENCY_TOKEN", "s3cr3t-t0ken")
    with serve(
        {
            "/x.csv": lambda r: (
                (200, {}, BODY)
                if r.headers.get("authorization") == "Bearer s3cr3t-t0ken"
                else (401, {}, b"no")
            )
        }
    ) as server:
        spec = make_spec(
            tmp_path,
            {
                "type": "http",
                "url": f"{server.url}/x.csv",
                "headers": {"Authorization": "Bearer ${AGENCY_TOKEN}"},
            },
            fields=FIELDS,
        )
        table = pull_source(spec, root=tmp_path, workdir=tmp_path / "a")
    assert table.path.read_bytes() == BODY
    assert "s3cr3t" not in table.source_uri
