"""Workflow rows: the outgoing dispatch, its deliveries, and their transition logs."""

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
    Delivery,
    DeliveryChannel,
    DeliveryStatus,
    DeliveryTransition,
)
from workflows.models.dispatches import Dispatch, DispatchState, DispatchTransition

__all__ = [
    "EDXML_CODES",
    "Consultation",
    "ConsultationRequest",
    "ConsultationState",
    "Delivery",
    "DeliveryChannel",
    "DeliveryStatus",
    "DeliveryTransition",
    "Dispatch",
    "DispatchState",
    "DispatchTransition",
    "Opinion",
    "OpinionFile",
    "OpinionStance",
]
