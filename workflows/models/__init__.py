"""Workflow rows: the outgoing dispatch and its transition log."""

from workflows.models.dispatches import Dispatch, DispatchState, DispatchTransition

__all__ = ["Dispatch", "DispatchState", "DispatchTransition"]
