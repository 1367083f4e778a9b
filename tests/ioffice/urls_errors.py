"""A test-only URLconf: the real site plus a page and an API view that raise what they are told to."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from ioffice.urls import urlpatterns as site_urlpatterns
from journal.errors import Conflict, Forbidden, InvalidInput, NotFound

RAISES = {
    "invalid": lambda: InvalidInput(
        "Ngày hạn xử lý đã qua.", code="deadline_in_past", message_en="The deadline is past."
    ),
    "forbidden": lambda: Forbidden(),
    "not-found": lambda: NotFound(),
    "conflict": lambda: Conflict(
        "Văn bản đã được phát hành.", code="already_issued", message_en="The document has already been issued."
    ),
    "django-validation": lambda: ValidationError({"summary": ["Trích yếu không được để trống."]}),
    "django-permission": lambda: PermissionDenied(),
}


def page(request, kind):
    raise RAISES[kind]()


class Api(APIView):
    permission_classes = [AllowAny]

    def get(self, request, kind):
        if kind == "ok":
            return Response({})
        raise RAISES[kind]()


urlpatterns = [
    path("thu-loi/<slug:kind>/", page),
    path("api/v1/thu-loi/<slug:kind>/", Api.as_view()),
    *site_urlpatterns,
]

handler400 = "ioffice.web.views.errors.bad_request"
handler403 = "ioffice.web.views.errors.permission_denied"
handler404 = "ioffice.web.views.errors.page_not_found"
handler500 = "ioffice.web.views.errors.server_error"
