"""The REST API under /api/v1/: token and session auth; the schema is at /api/schema/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from ioffice.api.views import (
    access,
    assignments,
    auth,
    consultations,
    dispatches,
    documents,
    incoming,
    me,
    notifications,
    root,
    units,
)

router = SimpleRouter()
router.register("units", units.UnitViewSet, basename="api-unit")
router.register("drafts", documents.DraftViewSet, basename="api-draft")
router.register("dispatches", dispatches.DispatchViewSet, basename="api-dispatch")
router.register("consultations", consultations.ConsultationViewSet, basename="api-consultation")
router.register("notifications", notifications.NotificationViewSet, basename="api-notification")
# The incoming flow (văn bản đến); the sender's tracking sits beside the dispatches viewset's routes.
router.register("deliveries", incoming.DeliveryViewSet, basename="api-delivery")
router.register("assignments", assignments.AssignmentViewSet, basename="api-assignment")
# Explicit access to documents: asked by one person, in force once a second confirms (Phụ lục VI).
router.register("access-changes", access.AccessChangeViewSet, basename="api-access-change")

urlpatterns = [
    path("", root.ApiRootView.as_view(), name="api-root"),
    path("me/", me.MeView.as_view(), name="api-me"),
    path("auth/token/", auth.ObtainTokenView.as_view(), name="api-auth-token"),
    path("dispatches/<int:id>/tracking/", incoming.DispatchTrackingView.as_view(), name="api-dispatch-tracking"),
    path("documents/<int:id>/access/", access.DocumentAccessView.as_view(), name="api-document-access"),
    *router.urls,
]
