"""The shape of a Jining-scale data set: the area tree, departments, staff and household sizes.

Everything here is computed in the parent process from the seed (numpy arrays plus a few thousand
Python strings); the worker processes inherit it when they fork and generate the bulk rows from it.
Ids are assigned here, so every chunk a worker writes has its id range known in advance and the whole
data set is the same for the same seed, size and reference time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from muling.people.roles import Role
from muling.places.demo.jining import COMPOUNDS, FUNCTIONAL_DEPARTMENTS, UTILITIES
from muling.places.levels import Level

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # treebeard MP_Node's default, steplen 4
STEPLEN = 4

# Jining's county-level divisions (GB/T 2260), the seed's 梁山县 first; the two development zones use
# the codes Jining reports them under (see muling.places.demo.jining).
DISTRICTS = (
    ("370832", "梁山县", (116.09, 35.80)),
    ("370811", "任城区", (116.59, 35.41)),
    ("370871", "济宁高新区", (116.65, 35.42)),
    ("370872", "太白湖新区", (116.60, 35.36)),
    ("370812", "兖州区", (116.78, 35.55)),
    ("370881", "曲阜市", (116.99, 35.58)),
    ("370883", "邹城市", (116.97, 35.40)),
    ("370826", "微山县", (117.13, 34.81)),
    ("370827", "鱼台县", (116.65, 35.01)),
    ("370828", "金乡县", (116.31, 35.07)),
    ("370829", "嘉祥县", (116.34, 35.41)),
    ("370830", "汶上县", (116.49, 35.73)),
    ("370831", "泗水县", (117.25, 35.66)),
)
# Stems of street / town and community / village names (real-sounding, not a gazetteer).
STREET_STEMS = (
    "古槐 越河 济阳 阜桥 南苑 观音阁 仙营 金城 许庄 李营 唐口 安居 长沟 喻屯 二十里铺 梁山 水泊 "
    "拳铺 韩岗 馆驿 小安山 寿张集 小路口 杨营 韩垓 马营 赵堌堆 黑虎庙 洸河 黄屯 王因 柳行 石桥 "
    "南张 鼓楼 龙桥 酒仙桥 兴隆 新驿 小孟 大安 漕河 颜店 颜庙 鲁城 书院 时庄 吴村 姚村 陵城 王庄 "
    "钢山 千泉 凫山 北宿 中心店 唐村 太平 石墙 峄山 田黄 张庄 大束 香城 郭里 城前 夏镇 韩庄 欢城 "
    "南阳 鲁桥 留庄 两城 谷亭 滨湖 王鲁 张黄 鱼城 清河 老砦 唐马 金乡 高河 鸡黍 胡集 羊山 嘉祥 "
    "万张 纸坊 梁宝寺 满硐 卧龙山 仲山 汶上 南站 次邱 寅寺 郭楼 康驿 苑庄 义桥 军屯 泗河 济河 "
    "星村 柘沟 金庄 苗馆 华村 杨柳 泉林 圣水峪 高峪 中册"
).split()
COMMUNITY_FIRST = "东 西 南 北 新 老 大 小 前 后 中 上 下 金 银 福 和 兴 安 康 宁 泰 华 明".split()
COMMUNITY_SECOND = "关 庄 营 集 屯 店 桥 湖 园 河 坊 苑 城 门 街 楼 里 寨 岗 林".split()

# size → (districts, streets, communities, grids, cases, years of history, sweep gap in hours)
SIZES = {
    "tiny": dict(districts=1, streets=1, communities=2, grids=4, cases=2_000, years=0.5, sweep_gap_h=240),
    "small": dict(districts=2, streets=6, communities=45, grids=140, cases=200_000, years=5, sweep_gap_h=48),
    "medium": dict(
        districts=5, streets=30, communities=215, grids=700, cases=1_000_000, years=5, sweep_gap_h=18
    ),
    "full": dict(
        districts=13, streets=150, communities=2_150, grids=7_000, cases=10_000_000, years=5, sweep_gap_h=12
    ),
}
HOUSEHOLD_SIZES = np.array([1, 2, 3, 4, 5, 6])
HOUSEHOLD_SIZE_P = np.array([0.15, 0.30, 0.25, 0.18, 0.08, 0.04])  # mean 2.86: 8.3 M in 2.9 M
BUILDING_SIZES = np.array([12, 18, 24, 36, 48, 72])
PARTY_ORG = {
    Level.DISTRICT: ("county_committee", "中共{}委员会"),
    Level.STREET: ("street_committee", "中共{}工作委员会"),
    Level.COMMUNITY: ("community_committee", "{}党委"),
    Level.GRID: ("grid_branch", "{}党支部"),
}


def split(total: int, parts: int, rng: np.random.Generator, spread: float = 0.5) -> np.ndarray:
    """`total` items over `parts` bins, at least one each, unevenly (lognormal weights)."""
    if parts <= 0:
        return np.zeros(0, np.int64)
    weights = rng.lognormal(0, spread, parts)
    extra = total - parts
    counts = np.floor(weights / weights.sum() * extra).astype(np.int64)
    # np.add.at counts repeated bins, which += on fancy indices would not
    np.add.at(counts, rng.choice(parts, size=int(extra - counts.sum()), replace=True), 1)
    return counts + 1


def mp_step(rank: int) -> str:
    out = ""
    for _ in range(STEPLEN):
        rank, r = divmod(rank, 36)
        out = ALPHABET[r] + out
    return out


@dataclass
class Plan:
    size: str
    seed: int
    cases: int
    years: float
    sweep_gap_h: float
    # areas, indexed by id - 1, in depth-first (= path) order
    code: list[str] = field(default_factory=list)
    name: list[str] = field(default_factory=list)
    path: list[str] = field(default_factory=list)
    level: list[int] = field(default_factory=list)
    parent: list[int] = field(default_factory=list)  # area index, -1 for the city
    numchild: list[int] = field(default_factory=list)
    full_name: list[str] = field(default_factory=list)
    lat: list[float] = field(default_factory=list)
    lon: list[float] = field(default_factory=list)
    households_planned: list[int | None] = field(default_factory=list)


def build_plan(size: str, seed: int) -> Plan:
    spec = SIZES[size]
    rng = np.random.default_rng([seed, 1])
    plan = Plan(
        size=size, seed=seed, cases=spec["cases"], years=spec["years"], sweep_gap_h=spec["sweep_gap_h"]
    )
    nd, ns, nc, ng = spec["districts"], spec["streets"], spec["communities"], spec["grids"]
    streets_per = split(ns, nd, rng, 0.3)
    communities_per = split(nc, ns, rng, 0.4)
    grids_per = split(ng, nc, rng, 0.4)
    hh_per_grid = rng.integers(320, 511, ng)  # mean ≈ 414
    # Buildings: each grid's households in buildings of one typical size (old six-storey blocks to towers).
    bsize = rng.choice(BUILDING_SIZES, ng)
    buildings_per_grid = np.minimum(-(-hh_per_grid // bsize), 999)
    lat_jit = rng.normal(0, 0.03, ng)
    lon_jit = rng.normal(0, 0.03, ng)

    def add(code, name, level, parent, full, lat=None, lon=None, planned=None) -> int:
        idx = len(plan.code)
        plan.code.append(code)
        plan.name.append(name)
        plan.level.append(int(level))
        plan.parent.append(parent)
        plan.numchild.append(0)
        plan.full_name.append(full)
        plan.lat.append(lat)
        plan.lon.append(lon)
        plan.households_planned.append(planned)
        if parent >= 0:
            plan.numchild[parent] += 1
            plan.path.append(plan.path[parent] + mp_step(plan.numchild[parent]))
        else:
            plan.path.append(mp_step(1))
        return idx

    city = add("370800", "济宁市", Level.CITY, -1, "济宁市", 35.415, 116.587)
    street_i = community_i = grid_i = 0
    stems = list(STREET_STEMS)
    rng.shuffle(stems)
    grids, grid_buildings, building_hh = [], [], []
    for d in range(nd):
        dcode, dname, (dlon, dlat) = DISTRICTS[d % len(DISTRICTS)]
        district = add(dcode, dname, Level.DISTRICT, city, dname, dlat, dlon)
        for s in range(int(streets_per[d])):
            stem = stems[street_i % len(stems)]
            sname = stem + ("镇" if street_i % 4 == 3 else "街道")
            street_i += 1
            slat, slon = dlat + rng.normal(0, 0.08), dlon + rng.normal(0, 0.08)
            street = add(f"{dcode}{s + 1:03d}", sname, Level.STREET, district, sname, slat, slon)
            village = sname.endswith("镇")
            used = set()
            for c in range(int(communities_per[street_i - 1])):
                while True:
                    base = rng.choice(COMMUNITY_FIRST) + rng.choice(COMMUNITY_SECOND)
                    if base not in used or len(used) > 400:
                        break
                used.add(base)
                cname = base + ("村" if village else "社区")
                community_i += 1
                clat, clon = slat + rng.normal(0, 0.02), slon + rng.normal(0, 0.02)
                community = add(
                    f"{dcode}{s + 1:03d}{c + 1:03d}",
                    cname,
                    Level.COMMUNITY,
                    street,
                    f"{sname} {cname}",
                    clat,
                    clon,
                )
                for g in range(int(grids_per[community_i - 1])):
                    gname = f"{cname}第{g + 1}网格"
                    compound = COMPOUNDS[int(rng.integers(len(COMPOUNDS)))]
                    hh = int(hh_per_grid[grid_i])
                    grid = add(
                        plan.code[community] + f"{g + 1:03d}",
                        gname,
                        Level.GRID,
                        community,
                        f"{sname} {cname} {gname}",
                        clat + lat_jit[grid_i] * 0.3,
                        clon + lon_jit[grid_i] * 0.3,
                        hh,
                    )
                    grids.append(grid)
                    nb = int(buildings_per_grid[grid_i])
                    per_b = np.full(nb, hh // nb)
                    per_b[: hh % nb] += 1
                    bids = []
                    for b in range(nb):
                        bname = f"{compound}{b + 1}号楼"
                        bids.append(
                            add(
                                plan.code[grid] + f"{b + 1:03d}",
                                bname,
                                Level.BUILDING,
                                grid,
                                f"{sname} {cname} {gname} {bname}",
                                None,
                                None,
                                int(per_b[b]),
                            )
                        )
                    grid_buildings.append(bids)
                    building_hh.append(per_b)
                    grid_i += 1
    for i in range(len(plan.code)):
        plan.full_name[i] = plan.full_name[i][:200]
    n_areas = len(plan.code)
    plan.level_arr = np.array(plan.level, np.int64)
    plan.parent_arr = np.array(plan.parent, np.int64)
    plan.grids = np.array(grids, np.int64)  # area index of each grid, in order
    plan.grid_community = plan.parent_arr[plan.grids]
    plan.grid_street = plan.parent_arr[plan.grid_community]
    plan.grid_district = plan.parent_arr[plan.grid_street]
    plan.n_areas = n_areas

    # Households, in grid order, building by building: id = index + 1.
    b_area = np.concatenate([np.array(b, np.int64) for b in grid_buildings])
    b_hh = np.concatenate(building_hh)
    plan.hh_building = np.repeat(b_area, b_hh)  # area index of each household's building
    plan.hh_index_in_building = np.arange(len(plan.hh_building)) - np.repeat(np.cumsum(b_hh) - b_hh, b_hh)
    plan.hh_building_size = np.repeat(b_hh, b_hh)
    grid_hh = np.array([int(x.sum()) for x in building_hh], np.int64)
    plan.grid_hh_start = np.concatenate([[0], np.cumsum(grid_hh)[:-1]])
    plan.grid_hh_count = grid_hh
    plan.hh_size = rng.choice(HOUSEHOLD_SIZES, len(plan.hh_building), p=HOUSEHOLD_SIZE_P)
    plan.households = len(plan.hh_building)
    plan_staff(plan, rng)
    # Residents come after the staff: person id = staff + index + 1.
    plan.hh_person_start = plan.staff_count + np.concatenate([[0], np.cumsum(plan.hh_size)[:-1]])
    plan.residents = int(plan.hh_size.sum())
    return plan


def plan_staff(plan: Plan, rng: np.random.Generator) -> None:
    """Departments, staff persons and their posts: the people cases are routed to."""
    level = plan.level_arr
    districts = np.flatnonzero(level == Level.DISTRICT)
    streets = np.flatnonzero(level == Level.STREET)
    communities = np.flatnonzero(level == Level.COMMUNITY)
    # Departments: id = index + 1.
    depts = []  # (code, name, kind, utility, area index)
    plan.functional_dept = {}
    plan.utility_dept = {}  # (district index, utility) → dept id; the first unit of a kind wins
    plan.property_dept = {}  # community index → dept id
    for d in districts:
        gov = plan.name[d]
        for key, suffix, party in FUNCTIONAL_DEPARTMENTS:
            prefix = (gov + "委") if party else gov
            depts.append((f"{plan.code[d]}-{key}", prefix + suffix, "functional", "", d))
            plan.functional_dept.setdefault(int(d), len(depts))
        for key, utility, template in UTILITIES:
            depts.append((f"{plan.code[d]}-{key}", template.format(gov=gov), "utility", str(utility), d))
            plan.utility_dept.setdefault((int(d), str(utility)), len(depts))
    brands = ("睦邻", "安居", "鲁兴", "圣城", "佳和", "宜家", "明珠", "泰和")
    for i, c in enumerate(communities):
        name = f"济宁{brands[i % len(brands)]}物业服务有限公司{plan.name[c]}项目部"
        depts.append((f"PROP-{plan.code[c]}", name, "property", "", c))
        plan.property_dept[int(c)] = len(depts)
    plan.departments = depts

    # Staff persons (id = index + 1) and their posts.
    staff = []  # (age, gender)
    posts = []  # (person id, role, area index, dept id or None, title)

    def person(role, area, dept=None, title="") -> int:
        staff.append((int(rng.integers(25, 55)), "F" if rng.random() < 0.45 else "M"))
        pid = len(staff)
        posts.append((pid, str(role), int(area), dept, title))
        return pid

    n = plan.n_areas
    plan.grid_worker = np.zeros(len(plan.grids), np.int64)
    plan.secretary = np.zeros(n, np.int64)  # person id of the area's secretary (community/street/district)
    for d in districts:
        plan.secretary[d] = person(Role.COUNTY_SECRETARY, d, title=f"{plan.name[d]}委书记")
    plan.dept_staff = {}
    for i, (_code, _name, kind, _u, area) in enumerate(depts, start=1):
        if kind == "property":
            continue
        title = "基层治理联络员" if kind == "functional" else "网格服务专员"
        plan.dept_staff[i] = person(Role.DEPARTMENT_STAFF, area, dept=i, title=title)
    for s in streets:
        plan.secretary[s] = person(Role.STREET_SECRETARY, s, title=f"{plan.name[s]}党工委书记")
    for c in communities:
        plan.secretary[c] = person(Role.COMMUNITY_SECRETARY, c, title=f"{plan.name[c]}党委书记")
        person(Role.PROPERTY_STAFF, c, dept=plan.property_dept[int(c)], title="物业项目经理")
    for gi, g in enumerate(plan.grids):
        plan.grid_worker[gi] = person(Role.GRID_WORKER, g)
        person(Role.GRID_CHIEF, g, title="网格长")
    plan.staff = staff
    plan.staff_count = len(staff)
    plan.posts = posts


def party_orgs(plan: Plan) -> list[tuple[int, str, str]]:
    """(area index, kind, name) for every area above the buildings except the city."""
    out = []
    for i, lv in enumerate(plan.level):
        if lv in PARTY_ORG:
            kind, template = PARTY_ORG[lv]
            out.append((i, kind, template.format(plan.name[i])))
    return out
