from django.urls import register_converter


class AreaCodeConverter:
    """An area code: 6 to 18 digits (see muling.places.levels.CODE_LENGTH)."""

    regex = r"[0-9]{6,18}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)


# Registered once, on import, by every urls module that uses it.
register_converter(AreaCodeConverter, "areacode")
