"""The only place WeasyPrint is imported: HTML in, PDF bytes out."""

from __future__ import annotations

from django.conf import settings


def html_to_pdf(html: str, base_url: str | None = None) -> bytes:
    """Render an HTML document (with CJK text) to PDF bytes."""
    from weasyprint import HTML  # imported lazily: it loads pango at import time

    return HTML(string=html, base_url=base_url or str(settings.BASE_DIR)).write_pdf()


def html_to_pdf_with_pages(html: str, base_url: str | None = None) -> tuple[bytes, int]:
    """The same as `html_to_pdf`, with the number of pages laid out."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=base_url or str(settings.BASE_DIR)).render()
    return document.write_pdf(), len(document.pages)
