"""Shared infrastructure models: abstract bases, the audit event and the Job record."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .querysets import VisibleQuerySet


def user_reference() -> models.ForeignKey:
    """Who did something (an approver, a signer): the account may go, the audit trail
    keeps the name."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )


class TimeStampedModel(models.Model):
    """Abstract base with creation and modification times."""

    created_at = models.DateTimeField(
        _("创建时间"), default=timezone.now, editable=False
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class AuditEventQuerySet(VisibleQuerySet):
    def visibility_filter(self, user, action: str) -> models.Q | None:
        from .visibility import audit_scope_q

        return audit_scope_q(user)


class AuditEvent(models.Model):
    """An append-only record of who did what to which object, from which state to which.

    PostgreSQL refuses UPDATE and DELETE on this table (trigger created by
    migration 0002); the model refuses them too, for other databases.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("为空表示系统自动执行。"),
    )
    actor_repr = models.CharField(_("操作人名称"), max_length=150, blank=True)
    action = models.SlugField(_("动作"), max_length=80)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.CharField(_("对象编号"), max_length=64)
    object_repr = models.CharField(_("对象"), max_length=255)
    from_state = models.CharField(_("原状态"), max_length=40, blank=True)
    to_state = models.CharField(_("新状态"), max_length=40, blank=True)
    comment = models.TextField(_("说明"), blank=True)
    payload = models.JSONField(_("详情"), default=dict, blank=True)
    # The organisation path of the object, so the audit log can be scoped without
    # joining every app's tables (see core.visibility).
    scope = models.CharField(_("范围"), max_length=255, blank=True, db_index=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_repr or 'system'} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise PermissionError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit events are append-only")


class JobStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    RUNNING = "running", _("进行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class JobQuerySet(VisibleQuerySet):
    def visibility_filter(self, user, action: str) -> models.Q | None:
        if user.is_superuser:
            return None
        return models.Q(created_by=user)


class Job(TimeStampedModel):
    """A long-running piece of work (export, PDF, scoring run) that a page can poll."""

    kind = models.SlugField(_("类型"), max_length=60)
    status = models.CharField(
        _("状态"), max_length=20, choices=JobStatus.choices, default=JobStatus.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    message = models.CharField(_("消息"), max_length=255, blank=True)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    result = models.JSONField(_("结果"), default=dict, blank=True)
    error = models.TextField(_("错误"), blank=True)
    file = models.FileField(_("文件"), upload_to="jobs/%Y/%m/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    object_id = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)
