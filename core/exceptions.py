"""One error vocabulary for services, HTML views, the API and tasks.

Every service raises a `DomainError` subclass with a stable machine `code`;
the API handler (core.api.exception_handler) and the HTML mixin
(core.views.DomainErrorMixin) map them once to 400 / 403 / 404 / 409.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """Base of every expected business error."""

    status_code = 400
    default_code = "error"
    default_message: Any = _("请求无法完成。")

    def __init__(
        self,
        message: Any = None,
        *,
        code: str | None = None,
        fields: dict[str, list[Any]] | None = None,
    ) -> None:
        self.message = message if message is not None else self.default_message
        self.code = code or self.default_code
        self.fields = fields or {}
        super().__init__(str(self.message))

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "detail": str(self.message),
            "fields": {k: [str(m) for m in v] for k, v in self.fields.items()},
        }


class ValidationFailed(DomainError):
    """Input that breaks a rule; `fields` names each field at fault."""

    status_code = 400
    default_code = "invalid"
    default_message = _("输入有误，请检查标出的字段。")


class NotPermitted(DomainError):
    """The actor may see the object but may not do this to it."""

    status_code = 403
    default_code = "permission_denied"
    default_message = _("您没有执行此操作的权限。")


class NotFound(DomainError):
    """The object does not exist or is not visible to the actor."""

    status_code = 404
    default_code = "not_found"
    default_message = _("未找到该对象。")


class Conflict(DomainError):
    """The object's state does not allow the action now."""

    status_code = 409
    default_code = "conflict"
    default_message = _("对象当前的状态不允许此操作。")


class TransitionNotAllowed(Conflict):
    """A named state transition was attempted from a state it does not start from."""

    default_code = "transition_not_allowed"


class StaleWrite(Conflict):
    """Somebody else changed the object first."""

    default_code = "stale_write"
    default_message = _("该对象已被他人修改，请刷新后重试。")
