"""Workflow actions: every state change of a dispatch, each in its own durable transaction."""

from workflows.actions.dispatches import (
    do_approve,
    do_number,
    do_return,
    do_seal,
    do_sign,
    do_start_dispatch,
    do_submit_for_review,
    do_submit_for_signature,
)

__all__ = [
    "do_approve",
    "do_number",
    "do_return",
    "do_seal",
    "do_sign",
    "do_start_dispatch",
    "do_submit_for_review",
    "do_submit_for_signature",
]
