from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..choices import Role
from ..models import Membership, Organisation, User


class OrganisationSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    parent = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Organisation
        fields = [
            "id",
            "code",
            "name",
            "short_name",
            "kind",
            "kind_display",
            "parent",
            "path",
            "is_active",
            "address",
            "contact_phone",
        ]


class MembershipSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    organisation_name = serializers.CharField(
        source="organisation.name", read_only=True
    )
    role_display = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = Membership
        fields = [
            "id",
            "username",
            "organisation",
            "organisation_name",
            "role",
            "role_display",
            "created_at",
        ]


class MembershipGrantInputSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    organisation = serializers.IntegerField()
    role = serializers.ChoiceField(choices=Role.choices)

    def validate_username(self, value):
        try:
            return User.objects.get(username=value.strip())
        except User.DoesNotExist as exc:
            raise serializers.ValidationError(
                _("没有用户名为“%(name)s”的账号。") % {"name": value}
            ) from exc


class MeSerializer(serializers.ModelSerializer):
    memberships = MembershipSerializer(
        source="active_memberships", many=True, read_only=True
    )
    roles = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "email", "roles", "memberships"]

    def get_roles(self, obj) -> list[str]:
        return sorted(obj.roles())


class TokenInputSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(
        style={"input_type": "password"}, trim_whitespace=False
    )


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField()


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        from ..models import Notification

        model = Notification
        fields = ["id", "verb", "title", "body", "link", "created_at", "read_at"]


class NotificationReadInputSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="omit to mark all read",
    )


class NotificationReadOutputSerializer(serializers.Serializer):
    marked = serializers.IntegerField()


class ApiTokenSerializer(serializers.ModelSerializer):
    """A street's read-only API token; never its key (only the visible prefix)."""

    street_name = serializers.CharField(source="street.name", read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    revoked_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        from ..models import ApiToken

        model = ApiToken
        fields = [
            "id",
            "name",
            "street",
            "street_name",
            "prefix",
            "is_active",
            "created_by",
            "created_at",
            "revoked_by",
            "revoked_at",
            "last_used_at",
        ]
        read_only_fields = fields


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    """The new token with its key: the only time the key is ever shown."""

    key = serializers.CharField(
        read_only=True,
        help_text="Send as `Authorization: Bearer <key>`; it is not shown again.",
    )

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "key"]
        read_only_fields = fields


class ApiTokenCreateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    street = serializers.IntegerField(
        min_value=1, help_text="id of a street office (街道办事处) of your district"
    )
