"""Notifications (thông báo): writing them once, mailing them once, and each person's choices.

:func:`notify_many` is the one write: the event handlers (:mod:`workflows.handlers`) call it after the
change that caused them has committed. Its rows go in with one ``INSERT … ON CONFLICT DO NOTHING
RETURNING`` per 3,000 rows, so an event delivered twice (a retried task) writes nothing the second
time, and only the rows that are really new get an e-mail task. A fan-out to 750 units is one
statement, not 750.

E-mail (thư điện tử) by default, for a person who never chose: on for what asks them to act now or
soon (urgent documents, assignments, reminders, overdue work, recalls, a new authenticator on their
account), off for news they will see in the app anyway (a new ordinary document at the clerk's desk, a
recipient's status). Once a person saves preferences, their ``email_kinds`` decide, except that an
urgent notification is mailed whenever their e-mail is on: Hỏa tốc and Thượng khẩn must reach the clerk
at once (Decree 30, Art. 20), and so must the news that an authenticator was added to their account.

The site has no configured public address, so the link in the mail is the path inside the site
(``/van-ban-den/12/``), the same one the in-app notification carries.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.template.loader import render_to_string
from django.utils import timezone

from journal.audit import record
from journal.errors import Forbidden, InvalidInput
from journal.tasks import background_task
from organizations.models import Membership, Role
from organizations.names import display_name
from workflows.models import Notification, NotificationKind, NotificationPreference

K = NotificationKind

#: What is mailed to someone who has no preference row (see the module docstring).
DEFAULT_EMAIL_KINDS: frozenset[str] = frozenset({K.URGENT, K.ASSIGNED, K.REMINDER, K.OVERDUE, K.RECALL, K.SECURITY})

SUBJECT_PREFIX = "[Văn phòng điện tử] "

#: Rows per INSERT: 8 columns × 3000 stays under SQLite's 32766 and PostgreSQL's 65535 parameters.
CHUNK_ROWS = 3000

_TITLE_LENGTH = Notification._meta.get_field("title").max_length
_URL_LENGTH = Notification._meta.get_field("url").max_length


class Item(NamedTuple):
    """One notification to write: to whom, under which key, saying what, linking where."""

    user_id: int
    key: str
    title: str
    body: str = ""
    url: str = ""


def wants_email(*, kind: str, urgent: bool, email_enabled: bool | None, email_kinds: list | None) -> bool:
    """Whether a notification of ``kind`` is mailed to a person with these preferences (``None``: no row)."""
    if email_enabled is None:
        return urgent or kind in DEFAULT_EMAIL_KINDS
    return email_enabled and (urgent or kind in (email_kinds or ()))


def notify(users, *, kind: str, title: str, body: str = "", url: str = "", urgent: bool = False, key: str) -> list[int]:
    """The same notification to each of ``users`` (users, ids or a queryset); returns the ids of the new rows."""
    if isinstance(users, QuerySet):
        user_ids = list(users.values_list("pk", flat=True))
    else:
        user_ids = [getattr(user, "pk", user) for user in users]
    return notify_many([Item(uid, key, title, body, url) for uid in user_ids], kind=kind, urgent=urgent)


def notify_many(items: Iterable[Item], *, kind: str, urgent: bool = False) -> list[int]:
    """Write every item not written before, and queue an e-mail for each new one its person wants mailed.

    The system acts here (no person), so the audit row has no actor. Returns the new rows' ids. A
    fixed number of statements whatever the count, except one queued task per e-mail to send.
    """
    if kind not in K.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    unique: dict[tuple[int, str], Item] = {}
    for item in items:
        unique.setdefault((item.user_id, item.key), item)
    if not unique:
        return []
    with transaction.atomic(durable=True):
        created = _insert(list(unique.values()), kind=kind, urgent=urgent)
        if not created:
            return []
        wishes = (
            get_user_model()
            .objects.filter(pk__in=sorted({uid for _, uid in created}), is_active=True)
            .exclude(email="")
            .values_list("pk", "notification_preference__email_enabled", "notification_preference__email_kinds")
        )
        mailed = {
            uid
            for uid, enabled, kinds in wishes
            if wants_email(kind=kind, urgent=urgent, email_enabled=enabled, email_kinds=kinds)
        }
        to_mail = sorted(pk for pk, uid in created if uid in mailed)
        for pk in to_mail:
            send_notification_email.enqueue(notification_id=pk)
        record(
            actor=None,
            verb="workflows.notification.sent",
            object_type="workflows.notification",
            object_id=created[0][0],
            data={"kind": kind, "urgent": urgent, "created": len(created), "emails": len(to_mail)},
        )
    return sorted(pk for pk, _ in created)


def _insert(items: list[Item], *, kind: str, urgent: bool) -> list[tuple[int, int]]:
    """``INSERT … ON CONFLICT DO NOTHING RETURNING id, user_id``: only the rows that were not there come back.

    Django's ``bulk_create(ignore_conflicts=True)`` returns no ids, and the e-mail tasks need exactly
    the new ones; both PostgreSQL and SQLite (3.35+) return only the inserted rows here.
    """
    meta = Notification._meta
    qn = connection.ops.quote_name
    names = ["user", "kind", "title", "body", "url", "urgent", "key", "created_at"]
    columns = [meta.get_field(name) for name in names]
    # Identifiers come from the model's _meta, quoted; every value travels as a parameter.
    head = f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(c.column) for c in columns)}) VALUES "  # noqa: S608
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    tail = f" ON CONFLICT DO NOTHING RETURNING {qn(meta.pk.column)}, {qn(meta.get_field('user').column)}"
    now = timezone.now()
    created: list[tuple[int, int]] = []
    with connection.cursor() as cursor:
        for start in range(0, len(items), CHUNK_ROWS):
            chunk = items[start : start + CHUNK_ROWS]
            rows = [
                (
                    item.user_id,
                    kind,
                    item.title[:_TITLE_LENGTH],
                    item.body,
                    item.url[:_URL_LENGTH],
                    urgent,
                    item.key,
                    now,
                )
                for item in chunk
            ]
            params = [
                column.get_db_prep_save(value, connection)
                for row in rows
                for column, value in zip(columns, row, strict=True)
            ]
            cursor.execute(head + ", ".join([one] * len(chunk)) + tail, params)
            created.extend((int(pk), int(uid)) for pk, uid in cursor.fetchall())
    return created


@background_task()
def send_notification_email(*, notification_id: int) -> str:
    """Mail one notification to its person, at most once (a task, retried with back-off when sending fails).

    The row stays locked while the message goes out, so two copies of this task (a retry beside a slow
    first attempt) cannot both send: the second waits, then finds ``emailed_at`` set. That keeps one
    connection to the mail server inside a transaction holding only this row's lock, never the audit
    chain's. If the stamp fails to commit after a successful send, the retry mails again: a duplicate is
    better than a lost urgent document.
    """
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None:
            return "gone"
        if notification.emailed_at is not None:
            return "already sent"
        person = notification.user
        if not person.is_active or not person.email:
            return "no address"
        context = {"notification": notification, "person": person, "name": display_name(person)}
        message = EmailMultiAlternatives(
            subject=_subject(notification.title),
            body=render_to_string("email/notification.txt", context),
            to=[person.email],
        )
        message.attach_alternative(render_to_string("email/notification.html", context), "text/html")
        message.send()
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    return "sent"


def _subject(title: str) -> str:
    # A header must be one line: a title pasted with a line break would otherwise raise BadHeaderError.
    return SUBJECT_PREFIX + " ".join(title.split())


# Preferences and reading ---------------------------------------------------------------------------


def may_manage_preferences(*, acting_user, user) -> bool:
    """Oneself, a superuser, or the admin (quản trị đơn vị) of a unit the person belongs to."""
    if acting_user.pk == user.pk or acting_user.is_superuser:
        return True
    their_units = Membership.objects.in_force().filter(user=user).values("unit_id")
    return Membership.objects.in_force().filter(user=acting_user, role=Role.ADMIN, unit_id__in=their_units).exists()


def do_set_notification_preferences(
    user, *, acting_user, email_enabled: bool, email_kinds: Iterable[str]
) -> NotificationPreference:
    """Save what ``user`` wants by e-mail; in-app notifications stay on whatever is chosen."""
    kinds = sorted(set(email_kinds))
    unknown = [kind for kind in kinds if kind not in K.values]
    if unknown:
        raise InvalidInput(
            f"Loại thông báo không hợp lệ: {', '.join(map(str, unknown))}.",
            code="unknown_notification_kind",
            message_en=f"Unknown notification kinds: {', '.join(map(str, unknown))}.",
            details={"unknown": unknown},
        )
    with transaction.atomic(durable=True):
        if not may_manage_preferences(acting_user=acting_user, user=user):
            raise Forbidden(
                "Bạn chỉ được thay đổi tùy chọn thông báo của chính mình.",
                code="not_own_preferences",
                message_en="You may change only your own notification preferences.",
            )
        preference, _ = NotificationPreference.objects.update_or_create(
            user=user, defaults={"email_enabled": bool(email_enabled), "email_kinds": kinds}
        )
        record(
            actor=acting_user,
            verb="workflows.notification.preferences",
            target=preference,
            data={"user": user.pk, "email_enabled": bool(email_enabled), "email_kinds": kinds},
        )
    return preference


def preferences_of(user) -> NotificationPreference:
    """The person's preferences, or the defaults (unsaved) when they never chose."""
    found = NotificationPreference.objects.filter(user=user).first()
    return found or NotificationPreference(user=user, email_enabled=True, email_kinds=sorted(DEFAULT_EMAIL_KINDS))


def mark_read(user, ids: Iterable[int] | None = None) -> int:
    """Mark ``user``'s own notifications read (``ids``, or all when ``None``); returns how many changed.

    Someone else's ids are simply not found: the filter is on the person, so nothing leaks or changes.
    """
    with transaction.atomic(durable=True):
        unread = Notification.objects.filter(user=user, read_at__isnull=True)
        if ids is not None:
            unread = unread.filter(pk__in=list(ids))
        changed = unread.update(read_at=timezone.now())
        if changed:
            record(
                actor=user,
                verb="workflows.notification.read",
                object_type="workflows.notification",
                object_id="all" if ids is None else "some",
                data={"count": changed},
            )
    return changed


def unread_count(user) -> int:
    """How many unread: one COUNT on the partial index of unread rows."""
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notifications_for(user) -> QuerySet[Notification]:
    """The person's notifications: unread urgent ones on top, then newest first."""
    pinned = Case(When(read_at__isnull=True, urgent=True, then=Value(0)), default=Value(1), output_field=IntegerField())
    return Notification.objects.filter(user=user).order_by(pinned, "-created_at", "-pk")
