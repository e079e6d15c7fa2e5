from rest_framework import serializers, viewsets

from ..models import Job


class JobSerializer(serializers.ModelSerializer):
    file_url = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "status",
            "progress",
            "message",
            "result",
            "error",
            "file_url",
            "created_at",
            "started_at",
            "finished_at",
        ]

    def get_file_url(self, obj: Job) -> str | None:
        return obj.file.url if obj.file else None


class JobViewSet(viewsets.ReadOnlyModelViewSet):
    """Background jobs the user requested (polled by clients until done)."""

    serializer_class = JobSerializer

    def get_queryset(self):
        return Job.objects.visible_to(self.request.user, "view").order_by("-created_at")
