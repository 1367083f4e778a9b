"""Pages of the shell: sign-in, sign-out, home, and the membership switcher."""

from django.urls import path

from ioffice.web.views import auth, home

urlpatterns = [
    path("dang-nhap/", auth.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth.LogoutView.as_view(), name="logout"),
    path("vai-tro/", auth.switch_membership, name="switch-membership"),
    path("", home.home, name="home"),
]
