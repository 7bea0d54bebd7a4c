"""The levels of the area tree and the shape of their codes.

A code is the 6-digit administrative division code of the city or district, then 3 digits each for
street, community, grid and building: Jining 370800, Liangshan County 370832, 梁山街道 370832001 …
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    CITY = 1, _("市")
    DISTRICT = 2, _("县区")
    STREET = 3, _("街道")
    COMMUNITY = 4, _("社区")
    GRID = 5, _("网格")
    BUILDING = 6, _("楼栋")


CODE_LENGTH = {
    Level.CITY: 6,
    Level.DISTRICT: 6,
    Level.STREET: 9,
    Level.COMMUNITY: 12,
    Level.GRID: 15,
    Level.BUILDING: 18,
}


def code_problem(*, code: str, level: int, parent_code: str | None) -> str | None:
    """Why `code` is not a valid code for an area of `level` under `parent_code`, or None if it is."""
    expected = CODE_LENGTH[Level(level)]
    if not (code.isascii() and code.isdigit()) or len(code) != expected:
        return _("%(level)s的编码应为 %(n)d 位数字") % {"level": Level(level).label, "n": expected}
    if level == Level.CITY:
        if not code.endswith("00"):
            return _("市级编码应以 00 结尾（如 370800）")
        return None
    if parent_code is None:
        return _("只有市级区域可以没有上级")
    if level == Level.DISTRICT:
        if code[:4] != parent_code[:4] or code == parent_code:
            return _("县区编码的前 4 位应与所属市相同（如 370832 属于 370800）")
        return None
    if not code.startswith(parent_code) or code[len(parent_code) :] == "000":
        return _("编码应以上级编码 %(parent)s 开头，后接 3 位非 000 的序号") % {"parent": parent_code}
    return None
