"""REST API of the admission list under /api/v1/admission-list/."""

urlpatterns: list = []
