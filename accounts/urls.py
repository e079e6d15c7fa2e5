from django.urls import path

from . import views, views_tokens

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password-change"),
    path(
        "password/done/",
        views.PasswordChangeDoneView.as_view(),
        name="password-change-done",
    ),
    path(
        "organisations/", views.OrganisationListView.as_view(), name="organisation-list"
    ),
    path(
        "organisations/<int:pk>/",
        views.OrganisationDetailView.as_view(),
        name="organisation-detail",
    ),
    path(
        "organisations/<int:pk>/edit/",
        views.OrganisationUpdateView.as_view(),
        name="organisation-edit",
    ),
    path(
        "organisations/<int:pk>/children/",
        views.OrganisationCreateView.as_view(),
        name="organisation-create",
    ),
    path(
        "organisations/<int:pk>/memberships/",
        views.MembershipGrantView.as_view(),
        name="membership-grant",
    ),
    path(
        "organisations/<int:pk>/users/",
        views.UserCreateView.as_view(),
        name="user-create",
    ),
    path(
        "memberships/<int:pk>/revoke/",
        views.MembershipRevokeView.as_view(),
        name="membership-revoke",
    ),
    path(
        "notifications/", views.NotificationListView.as_view(), name="notification-list"
    ),
    path("api-tokens/", views_tokens.ApiTokenListView.as_view(), name="api-token-list"),
    path(
        "api-tokens/<int:pk>/revoke/",
        views_tokens.ApiTokenRevokeView.as_view(),
        name="api-token-revoke",
    ),
]
