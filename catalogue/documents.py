"""Rendering a catalogue version as a PDF (through core.pdf)."""

from __future__ import annotations

from itertools import groupby

from django.template.loader import render_to_string
from django.utils import timezone

from core.pdf import html_to_pdf

from .models import CatalogueVersion


def catalogue_pdf_context(version: CatalogueVersion) -> dict:
    items = list(
        version.items.select_related("domain").order_by("domain__position", "code")
    )
    groups = [
        (domain, list(rows)) for domain, rows in groupby(items, key=lambda i: i.domain)
    ]
    return {
        "version": version,
        "groups": groups,
        "item_count": len(items),
        "generated_at": timezone.now(),
    }


def render_catalogue_pdf(version: CatalogueVersion) -> bytes:
    html = render_to_string(
        "pdf/catalogue/catalogue.html", catalogue_pdf_context(version)
    )
    return html_to_pdf(html)
