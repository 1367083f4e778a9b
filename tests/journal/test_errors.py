"""The domain error type: codes, Vietnamese and English messages, HTTP statuses."""

import pytest

from journal.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound


@pytest.mark.parametrize(
    "cls, status, code",
    [
        (InvalidInput, 400, "invalid_input"),
        (Forbidden, 403, "forbidden"),
        (NotFound, 404, "not_found"),
        (Conflict, 409, "conflict"),
    ],
)
def test_each_kind_maps_to_its_status(cls, status, code):
    error = cls()
    assert isinstance(error, DomainError)
    assert (error.http_status, error.code) == (status, code)
    assert str(error) == error.message and error.message != error.message_en


def test_a_specific_error_carries_its_code_and_both_languages():
    error = Conflict(
        "Văn bản đã được phát hành, không thể thu hồi bản nháp.",
        code="dispatch_already_issued",
        message_en="The document was already issued.",
        details={"dispatch_id": 7},
    )
    assert str(error) == "Văn bản đã được phát hành, không thể thu hồi bản nháp."
    assert error.as_dict() == {
        "code": "dispatch_already_issued",
        "message": "Văn bản đã được phát hành, không thể thu hồi bản nháp.",
        "message_en": "The document was already issued.",
        "details": {"dispatch_id": 7},
    }


def test_without_english_the_vietnamese_message_stands_in():
    assert NotFound("Không tìm thấy văn bản.").message_en == "Không tìm thấy văn bản."


@pytest.mark.parametrize("code", ["Not-Snake", "with space", "X", "trailing_", "9lives"])
def test_codes_must_be_snake_case(code):
    with pytest.raises(ValueError):
        InvalidInput(code=code)
