"""The only place WeasyPrint is imported: HTML in, PDF bytes out."""

from __future__ import annotations

from django.conf import settings


def html_to_pdf(html: str, base_url: str | None = None) -> bytes:
    """Render an HTML document (with CJK text) to PDF bytes."""
    return html_to_pdf_with_pages(html, base_url)[0]


def html_to_pdf_with_pages(html: str, base_url: str | None = None) -> tuple[bytes, int]:
    """Render an HTML document to PDF bytes, with the number of pages laid out."""
    from weasyprint import HTML  # imported lazily: it loads pango at import time

    document = HTML(string=html, base_url=base_url or str(settings.BASE_DIR)).render()
    return document.write_pdf(), len(document.pages)
