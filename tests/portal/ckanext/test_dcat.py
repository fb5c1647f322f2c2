"""DCAT for harvesting (ckanext-dcat 2.4.4 with the dulieumo_dcat_ap profile), and a harvest
the way the national portal does it: ckanext-dcat's RDF parser reads every page of
``catalog.ttl``; ``modified_since`` and CKAN's harvester query return what changed."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import time
from pathlib import Path

import pytest
import rdflib
import requests
from rdflib.namespace import DCTERMS, FOAF, RDF

from portal.settings import PortalSettings
from tests.support.catalog import CORE_DATASETS, copy_catalog, read_rows, write_rows
from tests.support.publishing import publish

EU = "http://publications.europa.eu/resource/authority"
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")  # open: rdflib's lacks dcat:version
SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
VCARD = rdflib.Namespace("http://www.w3.org/2006/vcard/ns#")
HYDRA = rdflib.Namespace("http://www.w3.org/ns/hydra/core#")
SCHEMA = "http://schema.org/"
PARSER = Path(__file__).with_name("harvest_parser.py")
REPUBLISHED = "co-so-luu-tru"


@pytest.fixture(scope="module")
def catalogue(portal, tmp_path_factory):
    """The three core sample datasets published, a private dataset, their private staging
    twins, and enough small public datasets for ``catalog.ttl`` to have two pages."""
    portal.reset()
    tmp = tmp_path_factory.mktemp("dcat")
    root = copy_catalog(tmp / "catalog", only=CORE_DATASETS)
    for name in CORE_DATASETS:
        publish(root, portal, name, tmp)
    ckan = portal.ckan("sysadmin")
    org = ckan.action.package_show(id=CORE_DATASETS[0])["owner_org"]
    ckan.action.package_create(
        name="du-lieu-noi-bo",
        title="Dữ liệu nội bộ",
        owner_org=org,
        private=True,
        resources=[{"name": "nội bộ", "url": "https://example.org/noi-bo.csv", "format": "CSV"}],
    )
    per_page = _per_page(portal.url)
    fillers = []
    for i in range(per_page + 1 - len(CORE_DATASETS)):
        name = f"bo-du-lieu-phu-{i:03d}"
        ckan.action.package_create(
            name=name,
            title=f"Bộ dữ liệu phụ {i}",
            owner_org=org,
            license_id="cc-by",
            resources=[
                {"name": f"Tệp {i}", "url": f"https://example.org/{name}.csv", "format": "CSV"}
            ],
        )
        fillers.append(name)
    return {"root": root, "tmp": tmp, "fillers": fillers, "per_page": per_page}


def _per_page(url: str) -> int:
    g = rdflib.Graph().parse(data=_get(f"{url}/catalog.ttl").text, format="turtle")
    value = next(g.objects(None, HYDRA.itemsPerPage), None)
    return int(value) if value is not None else 100


def _get(url: str) -> requests.Response:
    response = requests.get(url, timeout=120)
    assert response.status_code == 200, (url, response.status_code, response.text[:500])
    return response


def _public(portal) -> dict[str, dict]:
    """Every public dataset as an anonymous visitor's package_search returns it."""
    ckan, out, start = portal.ckan(), {}, 0
    while True:
        page = ckan.action.package_search(q="*:*", rows=500, start=start)
        out |= {p["id"]: p for p in page["results"]}
        start += 500
        if start >= page["count"]:
            return out


def _harvest(url: str) -> dict:
    python = PortalSettings().venv / "bin" / "python"
    proc = subprocess.run(
        [str(python), str(PARSER), url], capture_output=True, text=True, check=False, timeout=600
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


def _graph(url: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=_get(url).text, format="turtle")


# ---------------------------------------------------------------- the endpoints


def test_catalog_endpoints_parse_in_every_serialisation(catalogue, portal):
    counts = {}
    for ext, fmt in (("ttl", "turtle"), ("jsonld", "json-ld"), ("xml", "xml")):
        response = _get(f"{portal.url}/catalog.{ext}")
        assert "charset=utf-8" in response.headers["Content-Type"]  # Vietnamese text, decoded
        g = rdflib.Graph().parse(data=response.text, format=fmt)
        catalog = next(g.subjects(RDF.type, DCAT.Catalog))
        assert (catalog, DCTERMS.language, rdflib.URIRef(f"{EU}/language/VIE")) in g
        assert g.value(catalog, DCTERMS.publisher) is not None
        counts[ext] = len(set(g.subjects(RDF.type, DCAT.Dataset)))
    assert counts["ttl"] == counts["jsonld"] == counts["xml"] == catalogue["per_page"]


def test_dataset_rdf_carries_the_harvesting_fields(catalogue, portal):
    pkg = portal.ckan().action.package_show(id="co-so-kham-chua-benh")
    g = _graph(f"{portal.url}/dataset/co-so-kham-chua-benh.ttl")
    ds = next(g.subjects(RDF.type, DCAT.Dataset))
    assert str(ds).endswith(pkg["id"])
    titles = {(str(t), t.language) for t in g.objects(ds, DCTERMS.title)}
    assert (pkg["title"], "vi") in titles
    assert str(g.value(ds, DCTERMS.license)) == f"{EU}/licence/CC_BY_4_0"
    assert str(g.value(ds, DCTERMS.accrualPeriodicity)) == f"{EU}/frequency/MONTHLY"
    assert str(g.value(ds, DCTERMS.language)) == f"{EU}/language/VIE"
    assert str(g.value(ds, DCAT.version)) == pkg["version"] == "1.0.0"
    publisher = g.value(ds, DCTERMS.publisher)
    assert str(g.value(publisher, FOAF.name)) == pkg["organization"]["title"]
    contact = g.value(ds, DCAT.contactPoint)
    assert str(g.value(contact, VCARD.fn)) == pkg["maintainer"]
    assert str(g.value(contact, VCARD.hasEmail)) == f"mailto:{pkg['maintainer_email']}"
    phone = g.value(contact, VCARD.hasTelephone)  # only a real number, never a placeholder
    if pkg.get("contact_phone"):
        assert str(phone).startswith("tel:")
    else:
        assert phone is None
    spatial = g.value(ds, DCTERMS.spatial)
    assert str(g.value(spatial, rdflib.URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")))
    assert str(g.value(spatial, DCTERMS.identifier)) == "22"
    assert str(g.value(ds, DCAT.landingPage)) == f"{portal.url}/dataset/co-so-kham-chua-benh"

    # every release's CSV is a distribution with URL, media type, size and checksum
    releases = [r for r in pkg["resources"] if r.get("dulieumo_role") == "release-data"]
    assert releases
    for res in releases:
        dist = rdflib.URIRef(f"{portal.url}/dataset/{pkg['id']}/resource/{res['id']}")
        assert (ds, DCAT.distribution, dist) in g
        url = str(g.value(dist, DCAT.downloadURL))
        assert url == res["url"]
        assert str(g.value(dist, DCAT.mediaType)).endswith("/text/csv")
        body = _get(url).content
        assert int(g.value(dist, DCAT.byteSize)) == len(body)
        checksum = g.value(dist, SPDX.checksum)
        assert str(g.value(checksum, SPDX.checksumValue)) == res["hash"].removeprefix("sha256:")
        assert str(g.value(checksum, SPDX.algorithm)).endswith("checksumAlgorithm_sha256")
        assert str(g.value(dist, DCTERMS.license)) == f"{EU}/licence/CC_BY_4_0"
    # reports are not distributions; the datapackage is, conforming to its spec
    roles = {r["id"]: r.get("dulieumo_role") for r in pkg["resources"]}
    dists = {str(d).rsplit("/", 1)[-1] for d in g.objects(ds, DCAT.distribution)}
    assert {roles[d] for d in dists} == {"latest-data", "release-data", "release-datapackage"}


@pytest.mark.parametrize("ext, fmt", [("rdf", "xml"), ("jsonld", "json-ld"), ("ttl", "turtle")])
def test_each_dataset_has_its_rdf_serialisations(catalogue, portal, ext, fmt):
    g = rdflib.Graph().parse(
        data=_get(f"{portal.url}/dataset/co-so-giao-duc.{ext}").text, format=fmt
    )
    assert len(set(g.subjects(RDF.type, DCAT.Dataset))) == 1
    assert len(set(g.subjects(RDF.type, DCAT.Distribution))) >= 2


def test_dataset_page_has_schema_org_structured_data(catalogue, portal):
    html = _get(f"{portal.url}/dataset/co-so-luu-tru").text
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert blocks
    g = rdflib.Graph().parse(data=blocks[0], format="json-ld")
    dataset = next(g.subjects(RDF.type, rdflib.URIRef(SCHEMA + "Dataset")))
    pkg = portal.ckan().action.package_show(id="co-so-luu-tru")
    assert str(g.value(dataset, rdflib.URIRef(SCHEMA + "name"))) == pkg["title"]
    assert str(g.value(dataset, rdflib.URIRef(SCHEMA + "inLanguage"))) == "vi"
    assert str(g.value(dataset, rdflib.URIRef(SCHEMA + "version"))) == pkg["version"]
    downloads = list(g.objects(dataset, rdflib.URIRef(SCHEMA + "distribution")))
    urls = {str(g.value(d, rdflib.URIRef(SCHEMA + "contentUrl"))) for d in downloads}
    release = next(r for r in pkg["resources"] if r.get("dulieumo_role") == "release-data")
    assert release["url"] in urls


def test_private_and_staging_datasets_have_no_rdf_for_visitors(catalogue, portal):
    for name in ("du-lieu-noi-bo", f"{CORE_DATASETS[0]}--staging"):
        response = requests.get(f"{portal.url}/dataset/{name}.ttl", timeout=60)
        assert response.status_code in (403, 404), (name, response.status_code)


def test_bad_page_is_a_clear_error(catalogue, portal):
    response = requests.get(f"{portal.url}/catalog.ttl?page=0", timeout=60)
    assert response.status_code == 409 and "Page param" in response.text


# ---------------------------------------------------------------- the national portal's harvest


def test_harvest_reads_every_page_and_finds_every_public_dataset(catalogue, portal):
    harvest = _harvest(f"{portal.url}/catalog.ttl")
    public = _public(portal)
    assert harvest["pages"] == 2  # per_page + 1 public datasets
    found = {d["extras"]["uri"].rsplit("/", 1)[-1]: d for d in harvest["datasets"]}
    assert len(found) == len(harvest["datasets"])  # no dataset on two pages
    assert set(found) == set(public)
    names = {public[i]["name"] for i in found}
    assert "du-lieu-noi-bo" not in names and not any(n.endswith("--staging") for n in names)
    for pkg_id, dataset in found.items():
        pkg = public[pkg_id]
        urls = {r["download_url"] or r["url"] for r in dataset["resources"]}
        wanted = {
            r["url"]
            for r in pkg["resources"]
            if r.get("dulieumo_role")
            in (None, "latest-data", "release-data", "release-datapackage")
        }
        assert wanted and urls == wanted, pkg["name"]
    for name in CORE_DATASETS:
        pkg = next(p for p in public.values() if p["name"] == name)
        dataset = found[pkg["id"]]
        assert dataset["version"] == pkg["version"]
        csv = [r for r in dataset["resources"] if r["mimetype"].endswith("/text/csv")]
        assert csv and all(r["hash"] and r["size"] for r in csv)
        for res in csv:  # the download works and matches the declared checksum
            import hashlib

            body = _get(res["download_url"]).content
            assert hashlib.sha256(body).hexdigest() == res["hash"]


@pytest.fixture(scope="module")
def republished(catalogue, portal):
    """After a first harvest: a moment T, then a new release of one dataset."""
    since = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    time.sleep(1.5)  # every later change is strictly after T on the portal's clock
    path = catalogue["root"] / "samples" / "so-du-lich" / "co-so-luu-tru.csv"
    header, rows = read_rows(path)
    rows[0]["so_phong"] = str(int(rows[0]["so_phong"]) + 1)
    write_rows(path, header, rows)
    result = publish(catalogue["root"], portal, REPUBLISHED, catalogue["tmp"])
    assert result.action == "released" and result.version == "1.0.1"
    return since.isoformat()


def test_incremental_harvest_returns_exactly_the_republished_dataset(republished, portal):
    harvest = _harvest(f"{portal.url}/catalog.ttl?modified_since={republished}")
    pkg = portal.ckan().action.package_show(id=REPUBLISHED)
    assert [d["extras"]["uri"].rsplit("/", 1)[-1] for d in harvest["datasets"]] == [pkg["id"]]
    assert harvest["datasets"][0]["version"] == "1.0.1"
    urls = {r["download_url"] for r in harvest["datasets"][0]["resources"]}
    new = next(
        r
        for r in pkg["resources"]
        if r.get("dulieumo_role") == "release-data" and r.get("dulieumo_version") == "1.0.1"
    )
    assert new["url"] in urls


def test_ckan_harvester_query_returns_the_same_set(republished, portal):
    found = portal.ckan().action.package_search(
        fq=f"metadata_modified:[{republished}Z TO *]", rows=1000
    )
    assert [p["name"] for p in found["results"]] == [REPUBLISHED]
    everything = portal.ckan().action.package_search(
        fq="metadata_modified:[2000-01-01T00:00:00Z TO *]", rows=1000
    )
    assert everything["count"] == len(_public(portal))
