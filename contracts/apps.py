from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "contracts"
    verbose_name = _("合同履约")

    def ready(self) -> None:
        from core.events import register_action_labels

        from .workflows import TRANCHE_TRANSITIONS, TRANSITIONS

        labels = {name: t.label for name, t in TRANSITIONS.items()}
        labels.update(
            {f"tranche_{name}": t.label for name, t in TRANCHE_TRANSITIONS.items()}
        )
        labels.update(
            {
                "create": _("起草合同"),
                "tranche_assessment": _("登记考核结果"),
                "change_propose": _("提出变更"),
                "change_accept": _("确认变更"),
                "change_reject": _("不同意变更"),
                "change_withdraw": _("撤回变更"),
                "extension_request": _("申请延期"),
                "extension_approve": _("同意延期"),
                "extension_refuse": _("不同意延期"),
                "extension_withdraw": _("撤回延期申请"),
                "acceptance_create": _("组织验收"),
                "acceptance_record": _("登记验收结论"),
                "acceptance_publish": _("公开验收结果"),
                "delivery_report": _("填报服务记录"),
                "delivery_confirm": _("社区签收"),
                "delivery_dispute": _("社区提出异议"),
                "delivery_correct": _("更正服务记录"),
                "delivery_withdraw": _("撤回服务记录"),
                "evidence_add": _("补充佐证"),
                "residual_work_record": _("登记社区自办"),
                "extra_work_record": _("登记合同外工作"),
                "extra_work_approve": _("确认合同外工作"),
                "extra_work_refuse": _("不予认定合同外工作"),
                "extra_work_dispute": _("对合同外工作提出异议"),
                "extra_work_compensate": _("登记合同外工作补偿"),
            }
        )
        register_action_labels("contracts", labels)
