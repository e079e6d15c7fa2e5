"""Downloads of a project: the bid register and the evaluation result for the
buyer's staff (procurement.exports), and bid documents once the bids are opened."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.utils.translation import gettext as _
from django.views import View

from core.exceptions import Conflict
from core.tabular import xlsx_response

from . import exports, selectors
from .views import ProjectErrorMixin


def _readable(request: Any, pk: Any) -> Any:
    project = selectors.project_get_for_user(pk, request.user)
    if not (
        request.user.is_superuser or selectors.is_buyer_reader(request.user, project)
    ):
        raise PermissionDenied(_("只有采购人的工作人员可以导出投标和评审记录。"))
    return project


class BidsExportView(LoginRequiredMixin, ProjectErrorMixin, View):
    """开标记录: who bid and when; prices, bonds and qualification only after opening."""

    def get(self, request, pk):
        project = _readable(request, pk)
        return xlsx_response(
            exports.bids_xlsx(request.user, project), f"{project.code}-bids"
        )


class EvaluationExportView(LoginRequiredMixin, ProjectErrorMixin, View):
    """评审结果: each lot's ranking, once the committee has finished."""

    def get(self, request, pk):
        project = _readable(request, pk)
        if project.evaluated_at is None:
            raise Conflict(_("评审尚未完成，没有可导出的结果。"))
        return xlsx_response(
            exports.evaluation_xlsx(project), f"{project.code}-evaluation"
        )


class BidFileDownloadView(LoginRequiredMixin, ProjectErrorMixin, View):
    """A bid's document, after the opening, for whoever may read that bid."""

    def get(self, request, pk, bid_pk, file_pk):
        project = selectors.project_get_for_user(pk, request.user)
        f = selectors.bid_file_for_user(request.user, project, bid_pk, file_pk)
        return FileResponse(
            f.file.open("rb"), as_attachment=True, filename=f.name or "bid-file"
        )
