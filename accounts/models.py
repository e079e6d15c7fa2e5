"""Users, the organisation tree and role memberships."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from core.querysets import VisibleQuerySet
from core.visibility import ancestor_paths

from .choices import OrganisationKind, Role


class User(AbstractUser):
    """A person who logs in. What they may do comes from their memberships."""

    display_name = models.CharField(_("姓名"), max_length=100, blank=True)
    phone = models.CharField(_("电话"), max_length=30, blank=True)
    # True while the password is the published demo password; production start-up
    # refuses to run while any active account has it (core.checks).
    has_demo_password = models.BooleanField(
        _("仍使用演示密码"), default=False, editable=False
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username

    def set_password(self, raw_password: str | None) -> None:
        super().set_password(raw_password)
        self.has_demo_password = raw_password == settings.DEMO_PASSWORD

    # --- memberships, loaded once per user object ---------------------------------
    def active_memberships(self) -> list[Membership]:
        cache = getattr(self, "_membership_cache", None)
        if cache is None:
            cache = list(
                Membership.objects.filter(user=self, organisation__is_active=True)
                .select_related("organisation", "organisation__parent")
                .order_by("pk")
            )
            self._membership_cache = cache
        return cache

    def scope_paths(self) -> list[str]:
        """Organisation paths under which this user's memberships give visibility."""
        return sorted({m.scope_path for m in self.active_memberships()})

    def roles(self) -> set[str]:
        return {m.role for m in self.active_memberships()}

    def has_role(self, *roles: str, at_path: str | None = None) -> bool:
        """Whether the user holds one of `roles` with a scope covering `at_path`."""
        for m in self.active_memberships():
            if m.role in roles and (
                at_path is None or at_path.startswith(m.scope_path)
            ):
                return True
        return False

    def has_role_within(self, *roles: str, region_path: str) -> bool:
        """Whether the user holds one of `roles` somewhere inside the region."""
        return any(
            m.role in roles and m.scope_path.startswith(region_path)
            for m in self.active_memberships()
        )

    def district_paths(self) -> list[str]:
        """Paths of the districts the user's organisations belong to (one query, cached)."""
        cache = getattr(self, "_district_cache", None)
        if cache is None:
            cache = list(
                Organisation.objects.filter(
                    path__in=self.applicable_paths(), kind=OrganisationKind.DISTRICT
                ).values_list("path", flat=True)
            )
            self._district_cache = cache
        return cache

    def district_paths_for(self, *roles: str) -> list[str]:
        """The districts in which the user holds one of `roles` (a role in one district
        gives nothing in another)."""
        return [
            d
            for d in self.district_paths()
            if any(
                m.role in roles and m.scope_path.startswith(d)
                for m in self.active_memberships()
            )
        ]

    def applicable_paths(self) -> set[str]:
        """Every path that is an ancestor of (or equal to) one of the user's scopes:
        rules and catalogues of those jurisdictions apply to the user."""
        return {a for path in self.scope_paths() for a in ancestor_paths(path)}


class OrganisationQuerySet(VisibleQuerySet):
    def visibility_filter(self, user, action: str) -> models.Q | None:
        from core.visibility import scope_q

        if user.is_superuser:
            return None
        if action == "view":
            # Staff see their scope subtree; the jurisdictions above it are named in
            # breadcrumbs and rules, so they are visible too.
            return scope_q(user, "path") | models.Q(path__in=user.applicable_paths())
        # change: only district administrators, within their district.
        admin_paths = [
            m.scope_path
            for m in user.active_memberships()
            if m.role == Role.DISTRICT_ADMIN
        ]
        q = models.Q(pk__in=[])
        for p in admin_paths:
            q |= models.Q(path__startswith=p)
        return q


class Organisation(TimeStampedModel):
    """A node of the tree nation → province → city → district → street office →
    community, with departments, resident units, the expert pool, agencies and
    vendors hanging off it. `path` is the chain of codes from the root."""

    code = models.CharField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=120)
    short_name = models.CharField(_("简称"), max_length=60, blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=OrganisationKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("路径"), max_length=400, unique=True, editable=False)
    is_active = models.BooleanField(_("启用"), default=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("组织")
        verbose_name_plural = _("组织")
        ordering = ["path"]
        indexes = [models.Index(fields=["kind", "path"])]

    def __str__(self) -> str:
        return self.short_name or self.name

    def get_absolute_url(self) -> str:
        return reverse("accounts:organisation-detail", args=[self.pk])

    @property
    def audit_scope(self) -> str:
        return self.path

    @property
    def depth(self) -> int:
        return self.path.count("/") - 1

    def compute_path(self) -> str:
        parent = self.parent
        return (parent.path if parent is not None else "") + self.code + "/"


class Membership(TimeStampedModel):
    """A user's role at an organisation. Role codes are stable slugs."""

    user = models.ForeignKey(
        User,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("组织"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    role = models.CharField(_("角色"), max_length=30, choices=Role.choices)
    granted_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="uniq_membership_role"
            )
        ]
        ordering = ["organisation__path", "role"]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organisation}"

    @property
    def scope_path(self) -> str:
        """Department staff act for their whole street office; everyone else for
        their own organisation's subtree."""
        org = self.organisation
        parent = org.parent if org.kind == OrganisationKind.DEPARTMENT else None
        if parent is not None and parent.kind == OrganisationKind.STREET:
            return parent.path
        return org.path

    @property
    def audit_scope(self) -> str:
        return self.organisation.path


class NotificationQuerySet(VisibleQuerySet):
    def visibility_filter(self, user, action: str) -> models.Q | None:
        return models.Q(user=user)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """An in-app message to one user (with an unread count in the header); the same
    message also goes out by email through Django's email backend."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notifications"
    )
    verb = models.SlugField(_("类型"), max_length=60)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.title


class ApiTokenQuerySet(VisibleQuerySet):
    def visibility_filter(self, user, action: str) -> models.Q | None:
        """District administrators see (and manage) the tokens of their district's
        street offices; a token's own principal sees none."""
        if getattr(user, "token_street_path", None) is not None:
            return models.Q(pk__in=[])
        if user.is_superuser:
            return None
        q = models.Q(pk__in=[])
        for m in user.active_memberships():
            if m.role == Role.DISTRICT_ADMIN:
                q |= models.Q(street__path__startswith=m.scope_path)
        return q


class ApiToken(models.Model):
    """A read-only API key for an outside system, scoped to one street office.

    Only the key's sha256 and a short visible prefix are stored; the key itself is
    shown once, when the token is created. Requests made with it act as `user`, a
    login-less principal with no roles whose reads are limited to the street.
    """

    name = models.CharField(_("名称"), max_length=100)
    street = models.ForeignKey(
        Organisation,
        verbose_name=_("街道办事处"),
        on_delete=models.PROTECT,
        related_name="api_tokens",
        limit_choices_to={"kind": OrganisationKind.STREET},
    )
    # The principal requests act as: no password, no memberships, never a writer.
    user = models.OneToOneField(
        User,
        on_delete=models.PROTECT,
        related_name="api_token",
        editable=False,
    )
    prefix = models.CharField(_("密钥前缀"), max_length=16, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        User,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User,
        verbose_name=_("撤销人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    last_used_at = models.DateTimeField(_("最近使用时间"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        """The stored form of a key. The keys are 256-bit random strings, so a plain
        sha256 suffices (no salt or slow hash needed, unlike passwords)."""
        return hashlib.sha256(key.encode("utf-8")).hexdigest()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def audit_scope(self) -> str:
        return self.street.path
