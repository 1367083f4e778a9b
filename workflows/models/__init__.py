"""Workflow rows: the outgoing dispatch, its deliveries, and their transition logs."""

from workflows.models.calendar import CalendarDay
from workflows.models.consultations import (
    Consultation,
    ConsultationRequest,
    ConsultationState,
    Opinion,
    OpinionFile,
    OpinionStance,
)
from workflows.models.deliveries import (
    EDXML_CODES,
    FROZEN_STATUSES,
    OPEN_STATUSES,
    Delivery,
    DeliveryChannel,
    DeliveryStatus,
    DeliveryTransition,
    Priority,
    priority_of,
)
from workflows.models.dispatches import Dispatch, DispatchState, DispatchTransition
from workflows.models.notifications import Notification, NotificationKind, NotificationPreference
from workflows.models.routing import (
    Assignment,
    AssignmentKind,
    AssignmentState,
    AssignmentTransition,
    DeadlineExtension,
    ReminderKind,
    ReminderSent,
    Routing,
)

__all__ = [
    "EDXML_CODES",
    "FROZEN_STATUSES",
    "OPEN_STATUSES",
    "Assignment",
    "AssignmentKind",
    "AssignmentState",
    "AssignmentTransition",
    "CalendarDay",
    "Consultation",
    "ConsultationRequest",
    "ConsultationState",
    "DeadlineExtension",
    "Delivery",
    "DeliveryChannel",
    "DeliveryStatus",
    "DeliveryTransition",
    "Dispatch",
    "DispatchState",
    "DispatchTransition",
    "Notification",
    "NotificationKind",
    "NotificationPreference",
    "Opinion",
    "OpinionFile",
    "OpinionStance",
    "Priority",
    "ReminderKind",
    "ReminderSent",
    "Routing",
    "priority_of",
]
