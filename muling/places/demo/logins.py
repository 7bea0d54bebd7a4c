"""The demo logins: one per role, all in the 梁山县 → 梁山街道 → 幸福街社区 chain so they see each
other's data. `load_demo` creates them, `demo_logins` prints them, tests check them."""

import unicodedata
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from muling.people.roles import Role

DEMO_PASSWORD = "muling2026"

# Codes of the demo chain (see jining.py): 梁山县, 梁山街道, 幸福街社区, its first grid, first building.
COUNTY = "370832"
STREET = "370832001"
COMMUNITY = "370832001001"
GRID = "370832001001001"
SECOND_GRID = "370832001001002"
BUILDING = "370832001001001001"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    # The role this login demonstrates, held over `area_code`; None for the resident and the admin.
    role: str | None
    # Where the role is held; for the resident, the community they live in; None for the admin.
    area_code: str | None
    role_en: str
    sees: Promise
    phone: str | None = None
    # The department or company the post belongs to (its code), where the role needs one.
    department_code: str | None = None
    # Django admin access: secretaries and the admin only.
    is_staff: bool = False
    is_superuser: bool = False

    @property
    def role_label(self) -> str:
        if self.is_superuser:
            return _("系统管理员")
        if self.role is None:
            return _("居民")
        return str(Role(self.role).label)


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin(
        "resident",
        None,
        COMMUNITY,
        "Resident",
        gettext_lazy("幸福街社区居民（也可用手机号 13800000001 登录）：本户信息、上报并跟踪自己的问题"),
        phone="13800000001",
    ),
    DemoLogin(
        "building_head",
        Role.BUILDING_HEAD,
        BUILDING,
        "Building head",
        gettext_lazy("幸福街第一网格 1号楼：本楼住户、走访与问题"),
        phone="13900000001",
    ),
    DemoLogin(
        "part_time_grid_worker",
        Role.PART_TIME_GRID_WORKER,
        GRID,
        "Part-time grid worker",
        gettext_lazy("幸福街第一网格：本网格住户与待办"),
        phone="13900000002",
    ),
    DemoLogin(
        "grid_worker",
        Role.GRID_WORKER,
        GRID,
        "Full-time grid worker",
        gettext_lazy("幸福街第一网格：住户、走访、民情日报、待办问题"),
        phone="13900000003",
    ),
    DemoLogin(
        "grid_chief",
        Role.GRID_CHIEF,
        GRID,
        "Grid chief",
        gettext_lazy("幸福街第一网格常务网格长（社区党委副书记）：本网格的人员与问题"),
        phone="13900000004",
    ),
    DemoLogin(
        "community_secretary",
        Role.COMMUNITY_SECRETARY,
        COMMUNITY,
        "Community party secretary",
        gettext_lazy("幸福街社区，兼各网格网格长：全社区的派单、督办与升级"),
        phone="13900000005",
        is_staff=True,
    ),
    DemoLogin(
        "street_secretary",
        Role.STREET_SECRETARY,
        STREET,
        "Street party secretary",
        gettext_lazy("梁山街道：各社区的问题、升级到街道的事项"),
        phone="13900000006",
        is_staff=True,
    ),
    DemoLogin(
        "county_secretary",
        Role.COUNTY_SECRETARY,
        COUNTY,
        "County party secretary",
        gettext_lazy("梁山县：全县看板、升级到县级的事项"),
        phone="13900000007",
        is_staff=True,
    ),
    DemoLogin(
        "department_staff",
        Role.DEPARTMENT_STAFF,
        COUNTY,
        "Department staff",
        gettext_lazy("梁山县住房和城乡建设局：派给本部门的问题"),
        phone="13900000008",
        department_code="370832-housing",
    ),
    DemoLogin(
        "professional_grid_worker",
        Role.PROFESSIONAL_GRID_WORKER,
        GRID,
        "Professional grid worker",
        gettext_lazy("梁山县水务集团，一人多格：梁山街道的全部网格"),
        phone="13900000009",
        department_code="370832-water",
    ),
    DemoLogin(
        "property_staff",
        Role.PROPERTY_STAFF,
        COMMUNITY,
        "Property company staff",
        gettext_lazy("幸福街社区的物业企业：物业类问题、红色物业承诺"),
        phone="13900000010",
        department_code="PROP-370832001001",
    ),
    DemoLogin(
        "police",
        Role.POLICE,
        COMMUNITY,
        "Community police officer",
        gettext_lazy("幸福街社区民警（三官一律）：本社区的组织与联系人"),
        phone="13900000011",
    ),
    DemoLogin(
        "party_instructor",
        Role.PARTY_INSTRUCTOR,
        SECOND_GRID,
        "Party-building instructor",
        gettext_lazy("幸福街第二网格党建指导员：网格党支部与住户"),
        phone="13900000012",
    ),
    DemoLogin(
        "volunteer",
        Role.ENVIRONMENT_KEEPER,
        GRID,
        "Volunteer (environment keeper)",
        gettext_lazy("幸福街第一网格环境管护员：志愿岗位与活动"),
        phone="13900000013",
    ),
    DemoLogin(
        "admin",
        None,
        None,
        "Administrator",
        gettext_lazy("全部数据与后台 /admin/"),
        is_staff=True,
        is_superuser=True,
    ),
)

DEMO_USERNAMES = tuple(login.username for login in DEMO_LOGINS)


def _width(text: str) -> int:
    """Columns a string takes in a terminal: CJK characters are two wide."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def logins_table() -> str:
    """The demo logins as an aligned text table, in the active language."""
    header = (_("用户名"), _("密码"), _("角色"), _("角色（英文）"), _("能看到什么"))
    rows = [
        (login.username, DEMO_PASSWORD, login.role_label, login.role_en, str(login.sees))
        for login in DEMO_LOGINS
    ]
    widths = [max(_width(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]
    lines = []
    for n, row in enumerate([header, *rows]):
        cells = [_pad(cell, widths[i]) for i, cell in enumerate(row[:-1])]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in [*widths, _width(row[-1])]))
    return "\n".join(lines)
