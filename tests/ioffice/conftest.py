import pytest
from django.test import Client

from organizations.models import Role, UnitKind
from tests.organizations.factories import make_membership, make_unit, make_user

PASSWORD = "mật-khẩu-thử-nghiệm-2024"


@pytest.fixture
def department(db):
    return make_unit(name="Sở Giáo dục và Đào tạo Đồng Tháp", kind=UnitKind.DEPARTMENT, abbreviation="SGDĐT")


@pytest.fixture
def school(department):
    return make_unit(
        name="Trường THPT Thành phố Cao Lãnh", kind=UnitKind.SCHOOL, parent=department, school_level="thpt"
    )


@pytest.fixture
def clerk(department):
    user = make_user("vanthu", password=PASSWORD, first_name="Lan", last_name="Nguyễn Thị")
    make_membership(user=user, unit=department, role=Role.CLERK)
    return user


@pytest.fixture
def signed_in(clerk) -> Client:
    client = Client()
    client.force_login(clerk)
    return client


@pytest.fixture
def lockout_after_three(settings):
    settings.IOFFICE_LOGIN_MAX_FAILURES = 3
    settings.IOFFICE_LOGIN_LOCKOUT_MINUTES = 15
    return settings
