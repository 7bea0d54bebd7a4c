"""Reading whole numbers typed by people. `str.isdigit()` is true for "²" and "٣", which `int()` then
refuses or reads as another number, and a 30-digit "id" overflows the database's bigint: both used to
end in a 500."""

MAX_ID_DIGITS = 18  # below PostgreSQL's bigint maximum (9.2 × 10^18)


def is_plain_number(text: str, *, max_digits: int = MAX_ID_DIGITS) -> bool:
    """ASCII digits only, at most `max_digits` of them."""
    return bool(text) and text.isascii() and text.isdigit() and len(text) <= max_digits


def plain_int(text: str, *, max_digits: int = MAX_ID_DIGITS) -> int | None:
    """The number `text` spells in ASCII digits, or None."""
    return int(text) if is_plain_number(text, max_digits=max_digits) else None
