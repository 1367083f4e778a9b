import datetime
import functools
import threading
import time
import zoneinfo
from collections.abc import Callable

import pytest
from django.db import transaction

from documents.models import DocumentType, Register, RegisterDirection
from documents.numbering import Taken, local_year, peek_next_number, take_number
from documents.symbols import build_symbol
from journal.errors import TransactionRequired
from tests.concurrency import at_once, postgresql_only, raised
from tests.documents.factories import document_type, make_department, make_register
from tests.organizations.factories import make_unit

VN = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
UTC = datetime.UTC
ON = datetime.date(2026, 8, 13)


class _Rollback(Exception):
    """Raised on purpose to roll an issue back."""


def take(unit, direction="outgoing", document_type=None, on=ON) -> Taken:
    with transaction.atomic():
        return take_number(unit=unit, direction=direction, document_type=document_type, on=on)


@pytest.fixture
def so(db):
    return make_department()


def test_numbers_run_1_2_3_from_a_register_opened_on_first_use(so):
    assert [take(so).number for _ in range(3)] == [1, 2, 3]
    register = Register.objects.get()
    assert (register.unit, register.direction, register.year, register.document_type, register.last_number) == (
        so,
        "outgoing",
        2026,
        None,
        3,
    )
    assert register.name == "Sổ văn bản đi năm 2026"


def test_taken_says_which_register_and_year(so):
    taken = take(so)
    assert taken == Taken(number=1, year=2026, register_id=Register.objects.get().pk, document_type_id=None)


def test_the_register_at_959_gives_960_and_the_seed_letters_symbol(so):
    make_register(unit=so, year=2018, last_number=959)
    division = make_unit(kind="division", parent=so, abbreviation="CNTTTBT", name="Phòng CNTT - TB - TV")
    cong_van = document_type(name="Công văn")
    taken = take(division, document_type=cong_van, on=datetime.date(2018, 8, 13))
    assert taken.number == 960
    symbol = build_symbol(
        number=taken.number,
        document_type=cong_van,
        agency_abbreviation=division.issuing_agency.abbreviation,
        drafting_unit_abbreviation=division.abbreviation,
    )
    assert symbol == "960/SGDĐT-CNTTTBT"


def test_a_division_numbers_in_its_departments_register(so):
    division = make_unit(kind="division", parent=so)
    assert [take(so).number, take(division).number, take(so).number] == [1, 2, 3]
    assert Register.objects.get().unit == so


def test_agencies_number_independently(so):
    phong = make_unit(kind="district_office", parent=so, name="Phòng GDĐT TP Cao Lãnh")
    assert [take(so).number, take(phong).number, take(phong).number, take(so).number] == [1, 1, 2, 2]


@pytest.mark.parametrize(
    ("moment", "year"),
    [
        (datetime.datetime(2026, 12, 31, 23, 59, 59, tzinfo=VN), 2026),
        (datetime.datetime(2027, 1, 1, 0, 0, tzinfo=VN), 2027),
        # The same two instants in UTC: the local date decides, not the UTC one.
        (datetime.datetime(2026, 12, 31, 16, 59, 59, tzinfo=UTC), 2026),
        (datetime.datetime(2026, 12, 31, 17, 0, tzinfo=UTC), 2027),
        (datetime.date(2027, 1, 1), 2027),
    ],
)
def test_the_year_is_vietnams_calendar_year(moment, year):
    assert local_year(moment) == year


def test_a_naive_moment_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        local_year(datetime.datetime(2026, 12, 31, 23, 59))


def test_numbering_restarts_at_01_at_local_midnight_on_1_january(so):
    make_register(unit=so, year=2026, last_number=1841)
    before = take(so, on=datetime.datetime(2026, 12, 31, 23, 59, tzinfo=VN))
    after = take(so, on=datetime.datetime(2027, 1, 1, 0, 0, tzinfo=VN))  # 2026-12-31 17:00 UTC
    later = take(so, on=datetime.datetime(2027, 1, 1, 0, 1, tzinfo=VN))
    assert (before.number, before.year) == (1842, 2026)
    assert (after.number, after.year, later.number) == (1, 2027, 2)
    assert after.register_id != before.register_id


def test_a_rolled_back_issue_leaves_no_gap(so):
    assert take(so).number == 1
    with pytest.raises(_Rollback), transaction.atomic():
        assert take_number(unit=so, direction="outgoing", on=ON).number == 2
        raise _Rollback
    assert take(so).number == 2


def test_a_rolled_back_first_take_leaves_no_register_behind(so):
    with pytest.raises(_Rollback), transaction.atomic():
        take_number(unit=so, direction="outgoing", on=ON)
        raise _Rollback
    assert not Register.objects.exists()
    assert take(so).number == 1


@pytest.mark.parametrize("direction", ["incoming", "copy", "secret"])
def test_each_direction_has_its_own_sequence(so, direction):
    take(so)
    take(so)
    assert take(so, direction=direction).number == 1
    assert Register.objects.get(direction=direction).name == f"{RegisterDirection(direction).label} năm 2026"


def test_copies_share_the_copy_register(so):
    numbers = [take(so, document_type=document_type(abbr)).number for abbr in ("SY", "TrS", "SL")]
    assert numbers == [1, 2, 3]
    assert take(so, document_type=document_type("QĐ")).number == 1
    assert Register.objects.get(direction="copy").last_number == 3


def test_a_legal_normative_type_uses_its_own_register_once_opened(so):
    DocumentType.objects.filter(abbreviation="NQ").update(is_legal_normative=True)
    nq = document_type("NQ")
    assert take(so, document_type=nq).number == 1, "no per-type register yet: the general sequence"
    own = make_register(unit=so, year=2026, document_type=nq)
    assert take(so, document_type=nq) == Taken(number=1, year=2026, register_id=own.pk, document_type_id=nq.pk)
    assert take(so, document_type=nq).number == 2
    assert take(so, document_type=document_type("QĐ")).number == 2
    assert take(so).number == 3


def test_the_per_type_register_continues_into_the_next_year(so):
    DocumentType.objects.filter(abbreviation="NQ").update(is_legal_normative=True)
    nq = document_type("NQ")
    make_register(unit=so, year=2026, document_type=nq, last_number=14)
    taken = take(so, document_type=nq, on=datetime.date(2027, 1, 5))
    assert (taken.number, taken.year, taken.document_type_id) == (1, 2027, nq.pk)
    assert Register.objects.get(year=2027).name == "Sổ văn bản đi - Nghị quyết năm 2027"
    assert take(so, on=datetime.date(2027, 1, 5)).number == 1


def test_a_type_no_longer_legal_normative_returns_to_the_general_sequence(so):
    DocumentType.objects.filter(abbreviation="NQ").update(is_legal_normative=True)
    make_register(unit=so, year=2026, document_type=document_type("NQ"))
    DocumentType.objects.filter(abbreviation="NQ").update(is_legal_normative=False)
    assert take(so, document_type=document_type("NQ")).document_type_id is None


def test_peek_shows_the_next_number_without_taking_it(so):
    assert peek_next_number(unit=so, direction="outgoing", on=ON) == 1
    make_register(unit=so, year=2026, last_number=959)
    assert peek_next_number(unit=so, direction="outgoing", on=ON) == 960
    assert peek_next_number(unit=so, direction="outgoing", on=ON) == 960
    assert take(so).number == 960


def test_an_unknown_direction_is_refused(so):
    with pytest.raises(ValueError, match="direction"), transaction.atomic():
        take_number(unit=so, direction="sideways", on=ON)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_taking_a_number_outside_a_transaction_raises():
    so = make_department()
    with pytest.raises(TransactionRequired):
        take_number(unit=so, direction="outgoing", on=ON)
    assert not Register.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_rolled_back_transaction_returns_its_number():
    """The same as above, with real top-level transactions rather than savepoints."""
    so = make_department()
    taken = []
    for n in range(1, 7):
        try:
            with transaction.atomic():
                number = take_number(unit=so, direction="outgoing", on=ON).number
                if n % 3 == 0:
                    raise _Rollback
                taken.append(number)
        except _Rollback:
            pass
    assert taken == [1, 2, 3, 4]
    assert Register.objects.get().last_number == 4


def _clerks(count: int, clerk: Callable[[int], object]) -> None:
    """Run ``clerk(0)`` … ``clerk(count - 1)`` at once; none may raise."""
    outcomes = at_once(*(functools.partial(clerk, n) for n in range(count)))
    assert not raised(outcomes), outcomes


@postgresql_only()
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_clerks_never_share_or_skip_a_number():
    so = make_department()
    make_register(unit=so, year=2026)
    committed: list[int] = []
    rolled_back: list[int] = []
    lock = threading.Lock()

    def clerk(n):
        for i in range(25):
            try:
                with transaction.atomic():
                    number = take_number(unit=so, direction="outgoing", on=ON).number
                    if (n + i) % 6 == 0:
                        raise _Rollback
                    if i % 5 == 0:
                        time.sleep(0.002)  # hold the lock a moment, so that others queue on it
                with lock:
                    committed.append(number)
            except _Rollback:
                with lock:
                    rolled_back.append(number)

    _clerks(8, clerk)
    assert len(committed) + len(rolled_back) == 200 and rolled_back
    assert sorted(committed) == list(range(1, len(committed) + 1)), "gaps or duplicates"
    assert Register.objects.get().last_number == len(committed)


@postgresql_only()
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_first_takes_of_a_new_year_race_for_one_register():
    so = make_department()
    results: dict[int, list[int]] = {2031: [], 2032: [], 2033: []}
    lock = threading.Lock()

    def clerk(n):
        for year in results:
            with transaction.atomic():
                number = take_number(unit=so, direction="outgoing", on=datetime.date(year, 1, 1)).number
                time.sleep(0.01)  # keep the new row uncommitted while the others try to open it
            with lock:
                results[year].append(number)

    _clerks(6, clerk)
    for year, numbers in results.items():
        assert sorted(numbers) == [1, 2, 3, 4, 5, 6], year
        assert Register.objects.get(year=year).last_number == 6


@postgresql_only()
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_clerk_waiting_on_a_new_register_goes_on_when_the_first_rolls_back():
    so = make_department()
    opened = threading.Event()
    got: list[int] = []

    def clerk(n):
        if n == 0:
            try:
                with transaction.atomic():
                    take_number(unit=so, direction="outgoing", on=ON)
                    opened.set()
                    time.sleep(0.2)
                    raise _Rollback
            except _Rollback:
                return
        assert opened.wait(timeout=10)
        with transaction.atomic():
            got.append(take_number(unit=so, direction="outgoing", on=ON).number)

    _clerks(2, clerk)
    assert got == [1]
    assert Register.objects.get().last_number == 1
