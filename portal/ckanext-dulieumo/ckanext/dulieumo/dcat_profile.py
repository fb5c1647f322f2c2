"""dulieumo's DCAT profiles for ckanext-dcat 2.4.4 (``ckanext.dcat.rdf.profiles``).

- ``dulieumo_dcat_ap``: DCAT-AP 3 (ckanext-dcat's ``euro_dcat_ap_3``) fed with
  `harvest_fields.harvestable`: licence, frequency, language and file types as EU
  vocabulary URIs, contact point (with telephone), publisher (the organisation), spatial
  coverage (province name and code), temporal coverage when the dataset declares it,
  version, provenance, English title and description as ``@en`` literals, and as
  distributions the latest data and every release's CSV and ``datapackage.json`` with
  download URL, IANA media type, byte size and SHA-256 checksum. The catalog gets the
  province as publisher and Vietnamese as its language.
- ``dulieumo_schemaorg``: schema.org for the structured data of dataset pages
  (``ckanext.dcat.structured_data.profiles``), from the same fields; descriptions as
  sanitised plain text (the JSON-LD sits in the page).
"""

from __future__ import annotations

from typing import Any

from ckan.lib.helpers import markdown_extract
from ckan.plugins import toolkit
from ckanext.dcat.profiles import (
    DCAT,
    DCT,
    FOAF,
    RDF,
    SCHEMA,
    VCARD,
    EuropeanDCATAP3Profile,
    SchemaOrgProfile,
)
from rdflib import BNode, Literal, URIRef

from . import harvest_fields

TEL = "tel:"


def _site_url() -> str:
    return str(toolkit.config.get("ckan.site_url") or "").rstrip("/")


class DulieumoDCATAPProfile(EuropeanDCATAP3Profile):
    """DCAT-AP 3 from dulieumo's dataset fields (see the module doc)."""

    def graph_from_dataset(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> None:
        data = harvest_fields.harvestable(dataset_dict, _site_url())
        super().graph_from_dataset(data, dataset_ref)
        g = self.g
        for lang_key, predicate, vi_key in (
            ("title_en", DCT.title, "title"),
            ("notes_en", DCT.description, "notes"),
        ):
            if data.get(vi_key):  # the Vietnamese text first, tagged; English beside it
                g.remove((dataset_ref, predicate, Literal(data[vi_key])))
                g.add((dataset_ref, predicate, Literal(data[vi_key], lang="vi")))
            if data.get(lang_key):
                g.add((dataset_ref, predicate, Literal(data[lang_key], lang="en")))
        if data.get("license_uri"):
            g.add((dataset_ref, DCT.license, URIRef(data["license_uri"])))
        phone = data.get("contact_phone")
        if phone:
            for contact in g.objects(dataset_ref, DCAT.contactPoint):
                g.add((contact, VCARD.hasTelephone, URIRef(TEL + "".join(str(phone).split()))))
        code = data.get("spatial_code")
        if code:
            for spatial in g.objects(dataset_ref, DCT.spatial):
                g.add((spatial, DCT.identifier, Literal(str(code))))

    def graph_from_catalog(self, catalog_dict: dict[str, Any], catalog_ref: Any) -> None:
        super().graph_from_catalog(catalog_dict, catalog_ref)
        g = self.g
        site = _site_url()
        g.remove((catalog_ref, DCT.language, None))
        g.add((catalog_ref, DCT.language, URIRef(harvest_fields.LANGUAGE_URI["vi"])))
        title = toolkit.config.get("ckan.site_title")
        if title:
            publisher = URIRef(site + "/") if site else BNode()
            g.add((publisher, RDF.type, FOAF.Organization))
            g.add((publisher, FOAF.name, Literal(title, lang="vi")))
            g.add((catalog_ref, DCT.publisher, publisher))


class DulieumoSchemaOrgProfile(SchemaOrgProfile):
    """schema.org Dataset (structured data of dataset pages) from dulieumo's fields."""

    def graph_from_dataset(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> None:
        data = harvest_fields.harvestable(dataset_dict, _site_url())
        data["language"] = ["vi"]  # schema.org wants BCP 47 codes, not EU URIs
        data["license_url"] = data.get("license_url") or data.get("license_uri")
        # the page embeds this JSON-LD: plain text, sanitised as the page's own notes are
        # (no markup, no script content, no javascript: targets), which search engines want
        data["notes"] = markdown_extract(data.get("notes") or "", extract_length=0)
        for res in data.get("resources", []):
            res["description"] = markdown_extract(res.get("description") or "", extract_length=0)
            res["format"] = res.get("media_type") or res.get("format")
            res["language"] = ["vi"]
            res["license"] = data["license_url"]
        super().graph_from_dataset(data, dataset_ref)
        if data.get("version"):
            self.g.add((dataset_ref, SCHEMA.version, Literal(data["version"])))
