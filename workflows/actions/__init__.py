"""Workflow actions: every state change of a dispatch, each in its own durable transaction."""

from workflows.actions.consultations import (
    do_answer_consultation,
    do_close_consultation,
    do_open_consultation,
)
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
from workflows.actions.issue import do_issue_dispatch, do_recall_dispatch

__all__ = [
    "do_answer_consultation",
    "do_approve",
    "do_close_consultation",
    "do_issue_dispatch",
    "do_number",
    "do_open_consultation",
    "do_recall_dispatch",
    "do_return",
    "do_seal",
    "do_sign",
    "do_start_dispatch",
    "do_submit_for_review",
    "do_submit_for_signature",
]
