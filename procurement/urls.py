"""HTML pages of procurement (staff, committee members, vendors)."""

from django.urls import path

from . import views, views_bids, views_committee, views_exports, views_invitations

app_name = "procurement"

urlpatterns = [
    path("", views.ProjectListView.as_view(), name="project-list"),
    path("new/", views.ProjectFormView.as_view(), name="project-create"),
    path("method-preview/", views.MethodPreviewView.as_view(), name="method-preview"),
    path("my-bids/", views_bids.MyBidsView.as_view(), name="my-bids"),
    path("<int:pk>/", views.ProjectDetailView.as_view(), name="project-detail"),
    path("<int:pk>/edit/", views.ProjectFormView.as_view(), name="project-edit"),
    path(
        "<int:pk>/actions/<str:action>/",
        views.ProjectActionView.as_view(),
        name="project-action",
    ),
    path(
        "<int:pk>/documents/<int:version>/status/",
        views.DocumentStatusView.as_view(),
        name="document-status",
    ),
    path(
        "<int:pk>/documents/<int:version>/download/",
        views.DocumentDownloadView.as_view(),
        name="document-download",
    ),
    path(
        "<int:pk>/bids/<int:bid_pk>/qualify/",
        views.BidQualifyView.as_view(),
        name="bid-qualify",
    ),
    path(
        "<int:pk>/committee/<int:member_pk>/replace/",
        views.MemberReplaceView.as_view(),
        name="member-replace",
    ),
    path(
        "<int:pk>/challenges/<int:challenge_pk>/answer/",
        views.ChallengeAnswerView.as_view(),
        name="challenge-answer",
    ),
    path(
        "<int:pk>/invitations/",
        views_invitations.InvitationCreateView.as_view(),
        name="invitation-create",
    ),
    path(
        "<int:pk>/invitations/<int:invitation_pk>/delete/",
        views_invitations.InvitationDeleteView.as_view(),
        name="invitation-delete",
    ),
    path("<int:pk>/bid/", views_bids.BidSubmitView.as_view(), name="bid-submit"),
    path(
        "<int:pk>/bid/withdraw/",
        views_bids.BidWithdrawView.as_view(),
        name="bid-withdraw",
    ),
    path(
        "<int:pk>/challenge/",
        views_bids.ChallengeFileView.as_view(),
        name="challenge-file",
    ),
    path(
        "<int:pk>/lots/<int:lot_pk>/score/",
        views_committee.ScoreView.as_view(),
        name="lot-score",
    ),
    path(
        "<int:pk>/report/", views_committee.ReportSignView.as_view(), name="report-sign"
    ),
    path(
        "<int:pk>/bids.xlsx", views_exports.BidsExportView.as_view(), name="bids-export"
    ),
    path(
        "<int:pk>/bids/<int:bid_pk>/files/<int:file_pk>/",
        views_exports.BidFileDownloadView.as_view(),
        name="bid-file",
    ),
    path(
        "<int:pk>/evaluation.xlsx",
        views_exports.EvaluationExportView.as_view(),
        name="evaluation-export",
    ),
]
