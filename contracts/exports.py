"""The vendor's project ledger (台账, GPS-27) of one contract as an .xlsx workbook.

GPS-27 asks the supplier to keep a ledger of the project and give its key records to
the buyer; "a spreadsheet of results alone is not enough", so the workbook holds the
records behind the results: every delivery with its evidence (names, capture times,
reused photos flagged), the community's own work on contracted items, work asked
outside the contract, each payment with its deduction and reason, the changes and
extension requests and the acceptances. One sheet per kind of record, Chinese
headers, and a fixed number of queries however many rows the contract has.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from core.tabular import Sheet, write_workbook

from .choices import TrancheStatus
from .models import (
    Acceptance,
    Contract,
    ContractChange,
    ContractItem,
    DeliveryRecord,
    Evidence,
    ExtensionRequest,
    ExtraWork,
    PaymentTranche,
    ResidualWork,
)
from .selectors import contract_progress


def _when(value: Any) -> str:
    """A datetime in the site's time zone, or a date, as text; '' when empty."""
    if value is None:
        return ""
    if hasattr(value, "hour"):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    return value.isoformat()


def _money(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _yes(flag: bool) -> str:
    return _("是") if flag else _("否")


def _item_label(ci: ContractItem) -> tuple[str, str, str]:
    return ci.item.code, ci.item.name, ci.community.name


def _summary(contract: Contract, tranches: list[PaymentTranche]) -> Sheet:
    paid = sum(
        (
            t.paid_amount or t.payable
            for t in tranches
            if t.status == TrancheStatus.PAID
        ),
        Decimal(0),
    )
    deductions = sum((t.deduction for t in tranches), Decimal(0))
    rows: list[list[Any]] = [
        [_("合同编号"), contract.code],
        [_("合同名称"), contract.title],
        [_("购买主体"), contract.buyer.name],
        [_("承接组织"), contract.vendor.organisation.name],
        [_("状态"), contract.get_status_display()],
        [_("版本"), contract.version],
        [_("履行期限起"), _when(contract.start_on)],
        [_("履行期限止"), _when(contract.end_on)],
        [_("原合同金额（元）"), _money(contract.original_value)],
        [_("合同金额（元）"), _money(contract.value)],
        [_("履约保证金（元）"), _money(contract.performance_bond)],
        [_("签订日期"), _when(contract.signed_on)],
        [_("公开日期"), _when(contract.published_on)],
        [_("备案日期"), _when(contract.filed_on)],
        [_("备案编号"), contract.filing_ref],
        [_("已支付（元）"), _money(paid)],
        [_("扣减合计（元）"), _money(deductions)],
        [_("台账导出时间"), _when(timezone.now())],
    ]
    return _("合同概况"), [_("项目"), _("内容")], rows, (22, 60)


def _progress(contract: Contract) -> Sheet:
    """The same figures as the contract page and the API (`contract_progress`)."""
    header = [
        _("事项编号"),
        _("服务事项"),
        _("社区"),
        _("计量单位"),
        _("目标数量"),
        _("已签收数量"),
        _("待签收数量"),
        _("有异议数量"),
        _("完成率（%）"),
        _("社区自办次数"),
        _("社区自办工时（小时）"),
    ]
    rows: list[list[Any]] = [
        [
            r["item_code"],
            r["item_name"],
            r["community"],
            str(r["unit_label"]),
            r["target"],
            r["delivered"],
            r["awaiting"],
            r["disputed"],
            _money(r["pct"]),
            r["residual_records"],
            float(r["residual_hours"]),
        ]
        for r in contract_progress(contract)
    ]
    return _("事项进度"), header, rows, (10, 36, 16, 10, 10, 12, 12, 12, 12, 12, 16)


def _evidence_sheets(
    contract: Contract, deliveries: list[DeliveryRecord]
) -> tuple[Sheet, Sheet]:
    def flag(e: Evidence) -> str:
        if e.duplicate_of is None:
            return ""
        if e.duplicate_of.delivery.contract_id == contract.pk:
            where = _("本合同服务记录%(n)s“%(name)s”") % {
                "n": e.duplicate_of.delivery_id,
                "name": e.duplicate_of.name,
            }
        else:
            # Another contract may be another vendor's: name neither.
            where = _("其他合同的服务记录")
        return _("疑似重复使用：与%(where)s相同或近似") % {"where": where}

    d_header = [
        _("记录编号"),
        _("事项编号"),
        _("服务事项"),
        _("社区"),
        _("期间起"),
        _("期间止"),
        _("数量"),
        _("状态"),
        _("填报时间"),
        _("签收时间"),
        _("异议理由"),
        _("说明"),
        _("佐证文件"),
        _("拍摄时间"),
        _("疑似重复使用"),
    ]
    e_header = [
        _("记录编号"),
        _("事项编号"),
        _("社区"),
        _("佐证类型"),
        _("文件名"),
        _("拍摄时间"),
        _("纬度"),
        _("经度"),
        _("上传时间"),
        _("SHA-256"),
        _("疑似重复使用"),
        _("差异度"),
    ]
    d_rows: list[list[Any]] = []
    e_rows: list[list[Any]] = []
    for d in deliveries:
        code, name, community = _item_label(d.contract_item)
        evidence = list(d.evidence.all())
        d_rows.append(
            [
                d.pk,
                code,
                name,
                community,
                _when(d.period_start),
                _when(d.period_end),
                d.count,
                d.get_status_display(),
                _when(d.reported_at),
                _when(d.reviewed_at),
                d.dispute_reason,
                d.notes,
                "；".join(e.name for e in evidence),
                "；".join(_when(e.captured_at) for e in evidence if e.captured_at),
                "；".join(e.name for e in evidence if e.duplicate_of_id),
            ]
        )
        for e in evidence:
            e_rows.append(
                [
                    d.pk,
                    code,
                    community,
                    e.get_kind_display(),
                    e.name,
                    _when(e.captured_at),
                    _money(e.latitude),
                    _money(e.longitude),
                    _when(e.uploaded_at),
                    e.sha256,
                    flag(e),
                    e.duplicate_distance,
                ]
            )
    return (
        (
            _("服务记录"),
            d_header,
            d_rows,
            (8, 10, 30, 14, 12, 12, 8, 12, 20, 20, 24, 30, 36, 20, 24),
        ),
        (
            _("服务佐证"),
            e_header,
            e_rows,
            (8, 10, 14, 10, 30, 20, 12, 12, 20, 20, 44, 8),
        ),
    )


def _residual(contract: Contract) -> Sheet:
    header = [
        _("日期"),
        _("事项编号"),
        _("服务事项"),
        _("社区"),
        _("所做工作"),
        _("工时（小时）"),
        _("原因"),
        _("记录人"),
        _("记录时间"),
    ]
    rows = [
        [
            _when(r.happened_on),
            *_item_label(r.contract_item),
            r.description,
            float(r.hours),
            r.reason,
            str(r.recorded_by) if r.recorded_by else "",
            _when(r.recorded_at),
        ]
        for r in ResidualWork.objects.filter(contract=contract)
        .select_related(
            "contract_item__item", "contract_item__community", "recorded_by"
        )
        .order_by("happened_on", "contract_item__item__code", "id")
    ]
    return _("社区自办"), header, rows, (12, 10, 30, 14, 36, 12, 30, 20, 20)


def _extra(contract: Contract) -> Sheet:
    header = [
        _("交办日期"),
        _("社区"),
        _("记录方"),
        _("交办人（单位/姓名）"),
        _("工作内容"),
        _("工时（小时）"),
        _("状态"),
        _("承接组织意见"),
        _("认定意见"),
        _("已补偿"),
        _("补偿金额（元）"),
    ]
    rows = [
        [
            _when(w.assigned_on),
            w.community.name if w.community else "",
            w.get_side_display(),
            w.requested_by_name,
            w.description,
            float(w.hours),
            w.get_status_display(),
            w.vendor_response,
            w.decision_note,
            _yes(w.compensated),
            _money(w.compensation),
        ]
        for w in ExtraWork.objects.filter(contract=contract)
        .select_related("community")
        .order_by("assigned_on", "id")
    ]
    return _("合同外工作"), header, rows, (12, 14, 10, 24, 40, 10, 14, 30, 30, 8, 14)


def _payments(tranches: list[PaymentTranche]) -> Sheet:
    header = [
        _("期次"),
        _("类型"),
        _("比例（%）"),
        _("金额（元）"),
        _("对应履约期"),
        _("须验收合格"),
        _("验收"),
        _("考核等级门槛"),
        _("考核等级"),
        _("扣减金额（元）"),
        _("扣减理由"),
        _("应付金额（元）"),
        _("状态"),
        _("支付日期"),
        _("实付金额（元）"),
        _("支付凭证号"),
    ]
    rows = [
        [
            t.number,
            t.get_kind_display(),
            float(t.share),
            _money(t.amount),
            t.period_label,
            _yes(t.needs_acceptance),
            (
                f"{t.acceptance.period_label} {t.acceptance.get_status_display()}"
                if t.acceptance
                else ""
            ),
            t.get_min_grade_display() if t.min_grade else "",
            t.get_grade_display() if t.grade else "",
            _money(t.deduction),
            t.deduction_reason,
            _money(t.payable),
            t.get_status_display(),
            _when(t.paid_on),
            _money(t.paid_amount),
            t.payment_ref,
        ]
        for t in tranches
    ]
    return (
        _("付款"),
        header,
        rows,
        (6, 10, 10, 14, 14, 10, 18, 12, 10, 14, 36, 14, 10, 12, 14, 16),
    )


def _changes(contract: Contract) -> Sheet:
    header = [
        _("序号"),
        _("类型"),
        _("变更事由"),
        _("变更理由"),
        _("金额变化（元）"),
        _("新的履行期限止"),
        _("事项变化"),
        _("提出方"),
        _("提出时间"),
        _("状态"),
        _("确认时间"),
        _("确认意见"),
    ]
    rows = [
        [
            c.number,
            c.get_kind_display(),
            c.get_reason_code_display(),
            c.rationale,
            _money(c.value_delta),
            _when(c.new_end_on),
            len(c.item_changes or []),
            _("承接组织") if c.proposed_by_vendor else _("购买主体"),
            _when(c.proposed_at),
            c.get_status_display(),
            _when(c.decided_at),
            c.decision_note,
        ]
        for c in ContractChange.objects.filter(contract=contract).order_by("number")
    ]
    return _("合同变更"), header, rows, (6, 22, 14, 40, 14, 14, 10, 10, 20, 12, 20, 30)


def _snapshot_text(snapshot: dict[str, Any]) -> str:
    """The completion at the moment of asking (`completion_snapshot`), in words."""
    if not snapshot:
        return ""
    return _(
        "数量%(done)s/%(target)s（%(volume)s%%）；覆盖社区%(reached)s/%(total)s；"
        "时间进度%(time)s%%（截至%(as_of)s）"
    ) % {
        "done": snapshot.get("delivered_total", ""),
        "target": snapshot.get("target_total", ""),
        "volume": snapshot.get("volume_pct", ""),
        "reached": snapshot.get("communities_reached", ""),
        "total": snapshot.get("communities_total", ""),
        "time": snapshot.get("time_elapsed_pct", ""),
        "as_of": snapshot.get("as_of", ""),
    }


def _float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _extensions(contract: Contract) -> Sheet:
    header = [
        _("延期对象"),
        _("延期理由"),
        _("原期限"),
        _("申请延至"),
        _("申请时完成情况"),
        _("数量完成率（%）"),
        _("状态"),
        _("申请时间"),
        _("审批时间"),
        _("审批意见"),
    ]
    rows = []
    for x in (
        ExtensionRequest.objects.filter(contract=contract)
        .select_related("contract_item__item", "contract_item__community")
        .order_by("requested_at", "id")
    ):
        target = (
            "{} {} · {}".format(*_item_label(x.contract_item))
            if x.contract_item
            else _("整个合同")
        )
        snapshot = x.snapshot or {}
        rows.append(
            [
                target,
                x.reason,
                _when(x.current_end_on),
                _when(x.requested_end_on),
                _snapshot_text(snapshot),
                _float(snapshot.get("volume_pct")),
                x.get_status_display(),
                _when(x.requested_at),
                _when(x.decided_at),
                x.decision_reason,
            ]
        )
    return _("延期申请"), header, rows, (36, 40, 12, 12, 24, 12, 10, 20, 20, 30)


def _acceptances(contract: Contract) -> Sheet:
    header = [
        _("履约期"),
        _("期间起"),
        _("期间止"),
        _("状态"),
        _("验收日期"),
        _("验收结论"),
        _("逐项验收"),
        _("服务对象意见"),
        _("结果公开日期"),
    ]
    rows = [
        [
            a.period_label,
            _when(a.period_start),
            _when(a.period_end),
            a.get_status_display(),
            _when(a.accepted_on),
            a.conclusion,
            len(a.standards or []),
            len(a.opinions or []),
            _when(a.published_on),
        ]
        for a in Acceptance.objects.filter(contract=contract).order_by(
            "period_start", "id"
        )
    ]
    return _("验收"), header, rows, (14, 12, 12, 12, 12, 40, 10, 12, 14)


def ledger_xlsx(contract: Contract) -> bytes:
    """The project ledger (台账) of `contract`: summary, items per community,
    delivery records and their evidence, residual work, extra work, payments,
    changes, extension requests and acceptances. The caller checks who may read it
    (the contract's vendor and the buyer's staff)."""
    contract = Contract.objects.select_related("buyer", "vendor__organisation").get(
        pk=contract.pk
    )
    tranches = list(
        PaymentTranche.objects.filter(contract=contract)
        .select_related("acceptance")
        .order_by("number")
    )
    deliveries = list(
        DeliveryRecord.objects.filter(contract=contract)
        .select_related("contract_item__item", "contract_item__community")
        .prefetch_related(
            Prefetch(
                "evidence",
                queryset=Evidence.objects.select_related(
                    "duplicate_of__delivery"
                ).order_by("id"),
            )
        )
        .order_by("period_start", "contract_item__item__code", "id")
    )
    delivered, evidence = _evidence_sheets(contract, deliveries)
    return write_workbook(
        [
            _summary(contract, tranches),
            _progress(contract),
            delivered,
            evidence,
            _residual(contract),
            _extra(contract),
            _payments(tranches),
            _changes(contract),
            _extensions(contract),
            _acceptances(contract),
        ]
    )
