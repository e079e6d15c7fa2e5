from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcurementConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "procurement"
    verbose_name = _("采购")

    def ready(self) -> None:
        from core.events import register_action_labels

        from .workflows import TRANSITIONS

        labels = {name: t.label for name, t in TRANSITIONS.items()}
        labels.update(
            {
                "create": _("立项"),
                "restart": _("重新采购"),
                "notice_publish": _("发布公告"),
                "bid_submit": _("递交投标"),
                "bid_replace": _("替换投标"),
                "bid_withdraw": _("撤回投标"),
                "member_declare": _("回避声明"),
                "challenge_file": _("提出质疑"),
            }
        )
        register_action_labels("procurement", labels)
