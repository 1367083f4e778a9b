"""Pages: the shell (sign-in, sign-out, home, membership switcher) and the outgoing documents."""

from django.urls import path

from ioffice.web.views import auth, consultations, dispatches, drafts, home, registers

urlpatterns = [
    path("dang-nhap/", auth.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth.LogoutView.as_view(), name="logout"),
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
]
