"""Load the demo organisation of the Đồng Tháp education sector: ~700 units, a dozen demo users.

Every school name says "(dữ liệu thử)": the names and codes are synthetic, shaped like the real
directory (national code format, the 12 district offices) so the pilot can be shown end to end.
Idempotent: units are keyed on their official code, users on their username, and a membership is
granted only when the same one is not already in force. Units go in through the bulk import action
and memberships through the grant action, so paths, groups and audit rows are the real ones.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand

from organizations.actions import UnitRow, do_grant_membership, do_import_units, do_save_distribution_list
from organizations.models import DistributionList, Membership, Role, SchoolLevel, Unit, UnitKind

DEFAULT_PASSWORD = "ioffice-demo-2026"  # noqa: S105 - the documented demo password, overridable

PROVINCE = "H41"
UBND_CODE = f"000.00.00.{PROVINCE}"
VNPT_CODE = f"000.00.90.{PROVINCE}"
SO_CODE = f"000.00.21.{PROVINCE}"

DIVISIONS = [
    ("Văn phòng", "VP"),
    ("Phòng Tổ chức cán bộ", "TCCB"),
    ("Phòng Kế hoạch - Tài chính", "KHTC"),
    ("Phòng Giáo dục Trung học", "GDTrH"),
    ("Phòng Giáo dục Tiểu học", "GDTH"),
    ("Phòng Giáo dục Mầm non", "GDMN"),
    ("Phòng Giáo dục thường xuyên - Chuyên nghiệp", "GDTXCN"),
    ("Phòng Khảo thí và Kiểm định chất lượng giáo dục", "KTKĐCLGD"),
    ("Thanh tra", "TTr"),
    ("Phòng Công nghệ thông tin - Thiết bị - Thư viện", "CNTTTBT"),
]

# (name after "Phòng Giáo dục và Đào tạo", short form); TP Cao Lãnh first: it is in the pilot.
DISTRICTS = [
    ("thành phố Cao Lãnh", "TP Cao Lãnh"),
    ("thành phố Sa Đéc", "TP Sa Đéc"),
    ("thị xã Hồng Ngự", "TX Hồng Ngự"),
    ("huyện Tân Hồng", "Tân Hồng"),
    ("huyện Hồng Ngự", "Hồng Ngự"),
    ("huyện Tam Nông", "Tam Nông"),
    ("huyện Thanh Bình", "Thanh Bình"),
    ("huyện Tháp Mười", "Tháp Mười"),
    ("huyện Cao Lãnh", "H. Cao Lãnh"),
    ("huyện Lấp Vò", "Lấp Vò"),
    ("huyện Lai Vung", "Lai Vung"),
    ("huyện Châu Thành", "Châu Thành"),
]

THPT_COUNT = 43
# Per level under the district offices: (level, label, total across districts, code segment).
DISTRICT_SCHOOLS = [
    (SchoolLevel.MAM_NON, "Mầm non", 15 * len(DISTRICTS), "10"),
    (SchoolLevel.TIEU_HOC, "Tiểu học", 314, "20"),
    (SchoolLevel.THCS, "THCS", 141, "30"),
]


def division_code(index: int) -> str:
    return f"000.{index:02d}.21.{PROVINCE}"


def district_code(index: int) -> str:
    return f"000.00.{30 + index:02d}.{PROVINCE}"


def thpt_code(n: int) -> str:
    return f"{n:03d}.50.21.{PROVINCE}"


def district_school_code(district: int, segment: str, n: int) -> str:
    return f"{n:03d}.{segment}.{30 + district:02d}.{PROVINCE}"


def demo_rows() -> list[UnitRow]:
    """The whole demo tree, parents before children."""
    rows = [
        UnitRow(code=UBND_CODE, name="Ủy ban nhân dân tỉnh Đồng Tháp", short_name="UBND tỉnh",
                kind=UnitKind.EXTERNAL, abbreviation="UBND"),
        UnitRow(code=VNPT_CODE, name="VNPT Đồng Tháp", short_name="VNPT Đồng Tháp",
                kind=UnitKind.EXTERNAL, abbreviation="VNPTĐT"),
        UnitRow(code=SO_CODE, name="Sở Giáo dục và Đào tạo", short_name="Sở GDĐT", kind=UnitKind.DEPARTMENT,
                parent_code=UBND_CODE, abbreviation="SGDĐT", enrolled=True),
    ]  # fmt: skip
    for i, (name, abbreviation) in enumerate(DIVISIONS, start=1):
        rows.append(
            UnitRow(code=division_code(i), name=name, short_name=abbreviation, kind=UnitKind.DIVISION,
                    parent_code=SO_CODE, abbreviation=abbreviation, enrolled=True)
        )  # fmt: skip
    for n in range(1, THPT_COUNT + 1):
        rows.append(
            UnitRow(code=thpt_code(n), name=f"Trường THPT Mẫu số {n:02d} (dữ liệu thử)", short_name=f"THPT số {n:02d}",
                    kind=UnitKind.SCHOOL, school_level=SchoolLevel.THPT, parent_code=SO_CODE,
                    abbreviation=f"THPT{n:02d}", enrolled=True)
        )  # fmt: skip
    for d, (place, short) in enumerate(DISTRICTS, start=1):
        pilot = d == 1
        rows.append(
            UnitRow(code=district_code(d), name=f"Phòng Giáo dục và Đào tạo {place}", short_name=f"Phòng GDĐT {short}",
                    kind=UnitKind.DISTRICT_OFFICE, parent_code=SO_CODE, abbreviation="PGDĐT", enrolled=pilot)
        )  # fmt: skip
        for level, label, total, segment in DISTRICT_SCHOOLS:
            # Spread the total as evenly as it goes; the first districts take the remainder.
            count = total // len(DISTRICTS) + (1 if d <= total % len(DISTRICTS) else 0)
            for n in range(1, count + 1):
                rows.append(
                    UnitRow(code=district_school_code(d, segment, n),
                            name=f"Trường {label} Mẫu số {n:02d} {short} (dữ liệu thử)",
                            short_name=f"{label} số {n:02d} {short}", kind=UnitKind.SCHOOL, school_level=level,
                            parent_code=district_code(d), enrolled=pilot)
                )  # fmt: skip
    return rows


@dataclass(frozen=True)
class DemoPerson:
    username: str
    full_name: str
    unit_code: str
    role: str
    title: str


CAO_LANH = district_code(1)
CNTT = division_code(10)
GDTRH = division_code(4)

DEMO_PEOPLE = [
    DemoPerson("quantri", "Quản Trị Hệ Thống", SO_CODE, Role.ADMIN, "Quản trị hệ thống"),
    DemoPerson("so.giamdoc", "Trần Văn Giám", SO_CODE, Role.LEADER, "Giám đốc"),
    DemoPerson("so.phogiamdoc", "Trần Thị Phương", SO_CODE, Role.DEPUTY, "Phó Giám đốc"),
    DemoPerson("so.phogiamdoc", "Trần Thị Phương", GDTRH, Role.LEADER, "Trưởng phòng (kiêm nhiệm)"),
    DemoPerson("so.vanthu", "Trần Thị Thư", SO_CODE, Role.CLERK, "Văn thư"),
    DemoPerson("so.luutru", "Trần Văn Lưu", SO_CODE, Role.ARCHIVIST, "Lưu trữ viên"),
    DemoPerson("so.cntt.truongphong", "Trần Minh Tín", CNTT, Role.LEADER, "Trưởng phòng"),
    DemoPerson("so.cntt.chuyenvien", "Trần Thị Chuyên", CNTT, Role.OFFICER, "Chuyên viên"),
    DemoPerson("pgd.caolanh.truongphong", "Trần Văn Lãnh", CAO_LANH, Role.LEADER, "Trưởng phòng"),
    DemoPerson("pgd.caolanh.vanthu", "Trần Thị Vân", CAO_LANH, Role.CLERK, "Văn thư"),
    DemoPerson("ht.thpt01", "Trần Văn Hiệu", thpt_code(1), Role.PRINCIPAL, "Hiệu trưởng"),
    DemoPerson("vt.thpt01", "Trần Thị Tâm", thpt_code(1), Role.CLERK, "Văn thư"),
    DemoPerson("ht.thcs.caolanh01", "Trần Văn Trung", district_school_code(1, "30", 1), Role.PRINCIPAL,
               "Hiệu trưởng"),
]  # fmt: skip


class Command(BaseCommand):
    help = "Nạp dữ liệu mẫu: các đơn vị ngành giáo dục Đồng Tháp và người dùng thử (chạy lại không tạo trùng)."

    def add_arguments(self, parser):
        parser.add_argument("--password", default=DEFAULT_PASSWORD, help="Mật khẩu chung của người dùng thử.")

    def handle(self, *args, password: str, **options):
        # One hash for every demo account: hashing is deliberately slow and these share a password.
        hashed = make_password(password)
        admin = self._user("quantri", "Quản Trị Hệ Thống", hashed, superuser=True)
        result = do_import_units(demo_rows(), acting_user=admin)
        units = {u.code: u for u in Unit.objects.filter(code__in={p.unit_code for p in DEMO_PEOPLE})}
        table = []
        for person in DEMO_PEOPLE:
            user = self._user(person.username, person.full_name, hashed, superuser=person.username == "quantri")
            unit = units[person.unit_code]
            if not Membership.objects.in_force().filter(user=user, unit=unit, role=person.role).exists():
                do_grant_membership(acting_user=admin, user=user, unit=unit, role=person.role, title=person.title)
            table.append((person.username, person.full_name, unit.short_name or unit.name, Role(person.role).label))
        self._distribution_lists(admin)
        self.stdout.write(f"Đơn vị: {result.created} tạo mới, {result.updated} cập nhật, {result.unchanged} không đổi.")
        self.stdout.write(f"Mật khẩu chung: {password}\n")
        self._print_table(("Tên đăng nhập", "Họ tên", "Đơn vị", "Vai trò"), table)

    def _distribution_lists(self, admin) -> None:
        """The lists a Department clerk sends to most often (rules, so new schools join by themselves)."""
        so = Unit.objects.get(code=SO_CODE)
        cao_lanh = Unit.objects.get(code=district_code(1))
        lists = [
            ("Tất cả Phòng GDĐT", {"kinds": [UnitKind.DISTRICT_OFFICE]}),
            ("Tất cả trường THPT", {"kinds": [UnitKind.SCHOOL], "school_levels": [SchoolLevel.THPT]}),
            (
                f"Các trường thuộc {cao_lanh.short_name or cao_lanh.name}",
                {"kinds": [UnitKind.SCHOOL], "under": cao_lanh},
            ),
            (
                "Các đơn vị thí điểm văn phòng điện tử",
                {"kinds": [UnitKind.DISTRICT_OFFICE, UnitKind.SCHOOL], "enrolled": True},
            ),
        ]
        for name, rule in lists:
            existing = DistributionList.objects.filter(name=name).first()
            if existing is not None:
                continue
            do_save_distribution_list(DistributionList(name=name, owner=so, **rule), acting_user=admin, units=[])

    def _user(self, username: str, full_name: str, hashed_password: str, *, superuser: bool):
        """Create the demo user once; a rerun leaves an existing account (and its password) as it is."""
        last, _, first = full_name.rpartition(" ")
        user, _ = get_user_model().objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "password": hashed_password,
                "is_staff": superuser,
                "is_superuser": superuser,
                "email": f"{username}@demo.invalid",
            },
        )
        return user

    def _print_table(self, header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
        widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
        line = "  ".join("{:<%d}" % w for w in widths)  # noqa: UP031
        self.stdout.write(line.format(*header))
        self.stdout.write("  ".join("-" * w for w in widths))
        for row in rows:
            self.stdout.write(line.format(*row))
