"""The public notice pages, no login: the published notices, newest first, and one
notice (the award notice names the winners, the amounts and the experts)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views import View

from . import selectors
from .choices import NoticeKind
from .filtersets import NoticeFilterSet


class NoticeListView(View):
    paginate_by = 20

    def get(self, request):
        filterset = NoticeFilterSet(
            request.GET or None, queryset=selectors.published_notices()
        )
        page = Paginator(filterset.qs, self.paginate_by).get_page(
            request.GET.get("page")
        )
        query = request.GET.copy()
        query.pop("page", None)
        template = (
            "procurement/partials/_notice_table.html"
            if request.htmx and request.htmx.target == "notice-results"
            else "procurement/notice_list.html"
        )
        return render(
            request,
            template,
            {"filterset": filterset, "page_obj": page, "query": query.urlencode()},
        )


class NoticeDetailView(View):
    def get(self, request, pk):
        notice = selectors.published_notices().filter(pk=pk).first()
        if notice is None:
            raise Http404
        return render(
            request,
            "procurement/notice_detail.html",
            {
                "notice": notice,
                "is_award": notice.kind == NoticeKind.AWARD,
                "winners": (notice.data or {}).get("winners") or [],
                "experts": (notice.data or {}).get("experts") or [],
            },
        )
