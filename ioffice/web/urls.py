"""Pages: the shell (sign-in, sign-out, home, membership switcher) and the outgoing documents."""

from django.urls import path

from ioffice.web.views import (
    access,
    auth,
    consultations,
    dispatches,
    drafts,
    home,
    inboxes,
    incoming,
    incoming_steps,
    overdue,
    registers,
    two_factor,
)
from ioffice.web.views import calendar as calendar_views
from ioffice.web.views import incoming_registers as books
from ioffice.web.views import notifications as notification_views

urlpatterns = [
    path("dang-nhap/", auth.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth.LogoutView.as_view(), name="logout"),
    path("xac-thuc-hai-lop/cai-dat/", two_factor.enrol, name="two-factor-enrol"),
    path("xac-thuc-hai-lop/", two_factor.verify, name="two-factor-verify"),
    path("vai-tro/", auth.switch_membership, name="switch-membership"),
    path("", home.home, name="home"),
    # Drafting (soạn thảo) and the work lists of the outgoing flow.
    path("van-ban/du-thao/", drafts.draft_list, name="draft-list"),
    path("van-ban/du-thao/moi/", drafts.draft_create, name="draft-create"),
    path("van-ban/cho-duyet/", dispatches.queue_review, name="queue-review"),
    path("van-ban/cho-ky/", dispatches.queue_signature, name="queue-signature"),
    path("van-ban/van-thu/", dispatches.queue_clerk, name="queue-clerk"),
    path("van-ban/da-phat-hanh/", dispatches.issued_list, name="issued-list"),
    # One document: its page, edits, files, prints and transitions.
    path("van-ban/<int:pk>/", dispatches.document_detail, name="document-detail"),
    path("van-ban/<int:pk>/sua/", drafts.draft_edit, name="draft-edit"),
    path("van-ban/<int:pk>/tep/them/", drafts.attachment_add, name="attachment-add"),
    path("van-ban/<int:pk>/tep/<int:attachment_id>/", dispatches.attachment_download, name="attachment-download"),
    path("van-ban/<int:pk>/tep/<int:attachment_id>/go/", drafts.attachment_remove, name="attachment-remove"),
    path("van-ban/<int:pk>/ban-in.pdf", dispatches.document_pdf, name="document-pdf"),
    path("van-ban/<int:pk>/ban-word.docx", dispatches.document_docx, name="document-docx"),
    path("van-ban/<int:pk>/so-sanh/", dispatches.document_compare, name="document-compare"),
    path("van-ban/<int:pk>/thao-tac/<slug:name>/", dispatches.document_transition, name="document-transition"),
    path("van-ban/<int:pk>/theo-doi/", dispatches.dispatch_tracking, name="dispatch-tracking"),
    path("van-ban/<int:pk>/phieu-gui/", dispatches.paper_dispatch_list, name="paper-dispatch-list"),
    # Quyền truy cập: the access list, asking for a change, and the second person's decision (Phụ lục VI).
    path("van-ban/<int:pk>/quyen-truy-cap/", access.document_access, name="document-access"),
    path("van-ban/<int:pk>/quyen-truy-cap/de-nghi/", access.access_request, name="access-request"),
    path("quyen-truy-cap/cho-xac-nhan/", access.access_awaiting, name="access-awaiting"),
    path("quyen-truy-cap/<int:pk>/xac-nhan/", access.access_confirm, name="access-confirm"),
    path("quyen-truy-cap/<int:pk>/tu-choi/", access.access_refuse, name="access-refuse"),
    path("quyen-truy-cap/<int:pk>/huy/", access.access_cancel, name="access-cancel"),
    # Lấy ý kiến: the consolidated opinions, answering, closing, opinion files.
    path("van-ban/<int:pk>/lay-y-kien/", consultations.consultation_open, name="consultation-open"),
    path("lay-y-kien/<int:pk>/", consultations.consultation_detail, name="consultation-detail"),
    path("lay-y-kien/<int:pk>/gop-y/", consultations.consultation_answer, name="consultation-answer"),
    path("lay-y-kien/<int:pk>/ket-thuc/", consultations.consultation_close, name="consultation-close"),
    path("lay-y-kien/<int:pk>/tep/<int:file_id>/", consultations.opinion_file_download, name="opinion-file-download"),
    # Sổ đăng ký văn bản đi.
    path("so-van-ban-di/", registers.outgoing_register, name="outgoing-register"),
    path("so-van-ban-di/<int:year>.pdf", registers.outgoing_register_pdf, name="outgoing-register-pdf"),
    path("so-van-ban-di/<int:year>.xlsx", registers.outgoing_register_xlsx, name="outgoing-register-xlsx"),
    # Văn bản đến: the inboxes of each role, the delivery page and its steps, the assignment steps,
    # and registering a document that came from outside the system.
    path("van-ban-den/", inboxes.unit_list, name="incoming-list"),
    path("van-ban-den/cho-vao-so/", inboxes.to_register_list, name="incoming-to-register"),
    path("van-ban-den/cho-phan-phoi/", inboxes.to_route_list, name="incoming-to-route"),
    path("van-ban-den/cho-xac-nhan/", inboxes.to_acknowledge_list, name="incoming-to-acknowledge"),
    path("van-ban-den/vao-so-ngoai/", incoming.register_external, name="incoming-register-external"),
    path("van-ban-den/<int:pk>/", incoming.delivery_detail, name="delivery-detail"),
    path("van-ban-den/<int:pk>/thao-tac/<slug:name>/", incoming_steps.delivery_action, name="delivery-action"),
    path("van-ban-den/<int:pk>/phieu-giai-quyet.pdf", incoming.routing_slip_pdf, name="delivery-routing-slip"),
    path("van-ban-den/<int:pk>/tep/<int:attachment_id>/", incoming.attachment_download, name="delivery-attachment"),
    path("phan-cong/", inboxes.assignment_list, name="my-assignments"),
    path("van-ban-den/qua-han/", overdue.overdue_list, name="overdue-list"),
    path("phan-cong/<int:pk>/thao-tac/<slug:name>/", incoming_steps.assignment_action, name="assignment-action"),
    # Sổ văn bản đến, sổ theo dõi giải quyết, báo cáo xử lý văn bản; thông báo; lịch nghỉ lễ, làm bù.
    path("so-van-ban-den/", books.incoming_register, name="incoming-register"),
    path("so-van-ban-den/<int:year>.pdf", books.incoming_register_pdf, name="incoming-register-pdf"),
    path("so-van-ban-den/<int:year>.xlsx", books.incoming_register_xlsx, name="incoming-register-xlsx"),
    path("so-theo-doi-van-ban-den/", books.followup_register, name="followup-register"),
    path("so-theo-doi-van-ban-den/<int:year>.pdf", books.followup_register_pdf, name="followup-register-pdf"),
    path("so-theo-doi-van-ban-den/<int:year>.xlsx", books.followup_register_xlsx, name="followup-register-xlsx"),
    path("bao-cao-xu-ly-van-ban/", books.report, name="handling-report"),
    path("bao-cao-xu-ly-van-ban.pdf", books.report_pdf, name="handling-report-pdf"),
    path("bao-cao-xu-ly-van-ban.xlsx", books.report_xlsx, name="handling-report-xlsx"),
    path("thong-bao/", notification_views.notification_list, name="notification-list"),
    path("thong-bao/<int:pk>/mo/", notification_views.notification_open, name="notification-open"),
    path("thong-bao/doc-het/", notification_views.notification_read_all, name="notification-read-all"),
    path("thong-bao/tuy-chon/", notification_views.notification_preferences, name="notification-preferences"),
    path("lich-nghi/", calendar_views.calendar_days, name="calendar-days"),
    path("lich-nghi/them/", calendar_views.calendar_day_add, name="calendar-day-add"),
    path("lich-nghi/<int:pk>/xoa/", calendar_views.calendar_day_remove, name="calendar-day-remove"),
]
