"""Whole numbers typed by people: only ASCII digits, never more than a bigint holds."""

import pytest

from muling.numbers import is_plain_number, plain_int


@pytest.mark.parametrize("text", ["1", "42", "000123", "9" * 18])
def test_plain_numbers_are_read(text):
    assert is_plain_number(text)
    assert plain_int(text) == int(text)


@pytest.mark.parametrize("text", ["", "²", "٣", "１２", "1.5", "-1", " 1", "9" * 19])
def test_everything_else_is_refused(text):
    assert not is_plain_number(text)
    assert plain_int(text) is None


@pytest.mark.django_db
def test_open311_page_in_superscript_digits_is_a_400_not_a_500(client):
    response = client.get("/open311/v2/requests.json", {"page": "²"})
    assert response.status_code == 400
