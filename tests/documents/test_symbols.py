import pytest

from documents.symbols import ParsedSymbol, build_symbol, format_number, parse_symbol
from journal.errors import InvalidInput
from tests.documents.factories import document_type

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("n", "text"), [(1, "01"), (5, "05"), (9, "09"), (10, "10"), (99, "99"), (960, "960")])
def test_numbers_under_ten_get_a_leading_zero(n, text):
    assert format_number(n) == text


@pytest.mark.parametrize("n", [0, -1, True, 1.0, "5", None])
def test_only_positive_whole_numbers_are_numbers(n):
    with pytest.raises(InvalidInput) as refused:
        format_number(n)
    assert refused.value.code == "invalid_document_number"


@pytest.mark.parametrize(
    ("number", "type_key", "agency", "drafting", "year", "expected"),
    [
        (5, "QĐ", "SGDĐT", None, None, "05/QĐ-SGDĐT"),
        (5, "QĐ", "UBND", None, None, "05/QĐ-UBND"),
        (1, "KH", "SGDĐT", None, None, "01/KH-SGDĐT"),
        (10, "TB", "SGDĐT", None, None, "10/TB-SGDĐT"),
        (12, "SY", "SGDĐT", None, None, "12/SY-SGDĐT"),
        (3, "QĐ", "SGDĐT", "CNTTTBT", None, "03/QĐ-SGDĐT"),  # a typed type ignores the drafting unit
        (960, "Công văn", "SGDĐT", "CNTTTBT", None, "960/SGDĐT-CNTTTBT"),
        (7, "Công văn", "SGDĐT", "VP", None, "07/SGDĐT-VP"),
        (4, "Thư công", "SGDĐT", "VP", None, "04/SGDĐT-VP"),
        (5, "NQ", "HĐND", None, 2026, "05/2026/NQ-HĐND"),
    ],
)
def test_build_symbol(number, type_key, agency, drafting, year, expected):
    kind = document_type(name=type_key) if " " in type_key else document_type(type_key)
    symbol = build_symbol(
        number=number, document_type=kind, agency_abbreviation=agency, drafting_unit_abbreviation=drafting, year=year
    )
    assert symbol == expected
    assert " " not in symbol


@pytest.mark.parametrize("drafting", [None, "", "   "])
def test_a_cong_van_needs_its_drafting_unit(drafting):
    with pytest.raises(InvalidInput) as refused:
        build_symbol(
            number=960,
            document_type=document_type(name="Công văn"),
            agency_abbreviation="SGDĐT",
            drafting_unit_abbreviation=drafting,
        )
    assert refused.value.code == "drafting_unit_required"
    assert "đơn vị soạn thảo" in refused.value.message


@pytest.mark.parametrize(
    ("agency", "drafting", "code"),
    [
        ("SGD ĐT", None, "invalid_agency_abbreviation"),
        ("SGD/ĐT", None, "invalid_agency_abbreviation"),
        ("SGD-ĐT", None, "invalid_agency_abbreviation"),
        ("", None, "invalid_agency_abbreviation"),
        ("SGDĐT", "CNTT TBT", "invalid_drafting_unit_abbreviation"),
        ("SGDĐT", "CNTT/TBT", "invalid_drafting_unit_abbreviation"),
    ],
)
def test_abbreviations_are_checked(agency, drafting, code):
    with pytest.raises(InvalidInput) as refused:
        build_symbol(
            number=1,
            document_type=document_type(name="Công văn"),
            agency_abbreviation=agency,
            drafting_unit_abbreviation=drafting,
        )
    assert refused.value.code == code
    assert "không có dấu cách" in refused.value.message


def test_a_bad_year_is_refused():
    with pytest.raises(InvalidInput):
        build_symbol(number=1, document_type=document_type("NQ"), agency_abbreviation="HĐND", year=26)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("05/QĐ-SGDĐT", ParsedSymbol(5, None, "QĐ", "SGDĐT", "")),
        ("960/SGDĐT-CNTTTBT", ParsedSymbol(960, None, "", "SGDĐT", "CNTTTBT")),
        ("960 /SGDĐT-CNTTTBT", ParsedSymbol(960, None, "", "SGDĐT", "CNTTTBT")),
        ("960 / SGDĐT - CNTTTBT", ParsedSymbol(960, None, "", "SGDĐT", "CNTTTBT")),
        ("Số: 960/SGDĐT–CNTTTBT", ParsedSymbol(960, None, "", "SGDĐT", "CNTTTBT")),
        ("  5/QĐ- UBND ", ParsedSymbol(5, None, "QĐ", "UBND", "")),
        ("15/2026/NQ-HĐND", ParsedSymbol(15, 2026, "NQ", "HĐND", "")),
        ("123/QĐ-UBND-VX", ParsedSymbol(123, None, "QĐ", "UBND", "VX")),
        ("01/SY-SGDĐT", ParsedSymbol(1, None, "SY", "SGDĐT", "")),
    ],
)
def test_parse_symbol_reads_what_clerks_type(typed, expected):
    parsed = parse_symbol(typed)
    assert parsed == expected


def test_parsed_symbols_compare_by_their_canonical_form():
    assert parse_symbol("960 /SGDĐT-CNTTTBT").canonical == "960/SGDĐT-CNTTTBT"
    assert parse_symbol("5/QĐ - SGDĐT").canonical == "05/QĐ-SGDĐT"
    assert parse_symbol("15 / 2026 / NQ-HĐND").canonical == "15/2026/NQ-HĐND"


def test_decomposed_input_is_normalised():
    import unicodedata

    typed = unicodedata.normalize("NFD", "05/QĐ-SGDĐT")
    assert parse_symbol(typed).canonical == "05/QĐ-SGDĐT"


def test_parse_with_a_given_list_of_type_abbreviations_needs_no_database():
    assert parse_symbol("05/XY-SGDĐT", type_abbreviations={"XY"}).type_abbreviation == "XY"
    assert parse_symbol("05/XY-SGDĐT", type_abbreviations=set()).agency == "XY"


@pytest.mark.parametrize("typed", ["", "QĐ-SGDĐT", "05/QĐ", "0/QĐ-SGDĐT", "05/QĐ-", "abc/QĐ-SGDĐT", "05//QĐ-SGDĐT"])
def test_parse_symbol_refuses_what_is_not_a_symbol(typed):
    with pytest.raises(InvalidInput) as refused:
        parse_symbol(typed)
    assert refused.value.code == "invalid_symbol"
