"""The URL map: pages, health, admin, and the REST API under /api/v1/."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from ioffice import health
from ioffice.web.forms import AdminLoginForm

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("ioffice.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file (?script): the CSP refuses inline scripts.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("ioffice.web.urls")),
]

admin.site.login_form = AdminLoginForm
admin.site.site_header = "ioffice — Quản trị"
admin.site.site_title = "ioffice"
admin.site.index_title = "Quản trị hệ thống"


handler400 = "ioffice.web.views.errors.bad_request"
handler403 = "ioffice.web.views.errors.permission_denied"
handler404 = "ioffice.web.views.errors.page_not_found"
handler500 = "ioffice.web.views.errors.server_error"
