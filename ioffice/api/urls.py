"""The REST API under /api/v1/: token and session auth; the schema is at /api/schema/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from ioffice.api.views import (
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

urlpatterns = [
    path("", root.ApiRootView.as_view(), name="api-root"),
    path("me/", me.MeView.as_view(), name="api-me"),
    path("auth/token/", auth.ObtainTokenView.as_view(), name="api-auth-token"),
    path("dispatches/<int:id>/tracking/", incoming.DispatchTrackingView.as_view(), name="api-dispatch-tracking"),
    *router.urls,
]
