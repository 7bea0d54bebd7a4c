"""The Jining demo data: the places, organisations and names the seed newspaper page talks about.

Everything here is a plain table; `plan.py` turns it into people and posts with a seeded random
generator. Area codes follow muling.places.levels: 6-digit division code, then 3 digits per level.

济宁高新区 and 太白湖新区 are development zones with no county code of their own in GB/T 2260; Jining
reports their statistics under 370871 and 370872, so those are the codes used here.
"""

from dataclasses import dataclass

from muling.people.models import Department

CITY_CODE = "370800"
CITY_NAME = "济宁市"
CITY_ADDRESS = "山东省济宁市"
# Jining's city centre, shown when a map opens on the whole city.
CITY_CENTROID = (35.415, 116.587)  # (lat, lon)

# Jining's telephone area code; department phones are 0537-xxxxxxx.
AREA_PHONE_PREFIX = "0537-"


@dataclass(frozen=True)
class StreetSpec:
    name: str
    party_org: str
    police_station: str
    communities: tuple[str, ...]


@dataclass(frozen=True)
class DistrictSpec:
    code: str
    name: str
    # How departments of this district are prefixed: 梁山县民政局, 济宁高新区民政局 …
    gov: str
    # How the party committee's own offices are prefixed: 梁山县委政法委, 济宁高新区党工委政法委 …
    party_prefix: str
    party_org: str
    property_prefix: str
    center: tuple[float, float]  # (lon, lat), where the district's grids are laid out
    # Where residents' ID numbers were issued: (division code, weight).
    id_regions: tuple[tuple[str, int], ...]
    streets: tuple[StreetSpec, ...]


DISTRICTS: tuple[DistrictSpec, ...] = (
    DistrictSpec(
        code="370832",
        name="梁山县",
        gov="梁山县",
        party_prefix="梁山县委",
        party_org="中共梁山县委员会",
        property_prefix="梁山",
        center=(116.09, 35.80),
        id_regions=(("370832", 85), ("370830", 5), ("370829", 5), ("370811", 5)),
        streets=(
            StreetSpec(
                name="梁山街道",
                party_org="中共梁山街道工作委员会",
                police_station="梁山派出所",
                communities=("幸福街社区", "杏花村社区", "青龙山社区"),
            ),
            StreetSpec(
                name="水泊街道",
                party_org="中共水泊街道工作委员会",
                police_station="水泊派出所",
                communities=("水泊社区", "凤凰社区"),
            ),
        ),
    ),
    DistrictSpec(
        code="370871",
        name="济宁高新区",
        gov="济宁高新区",
        party_prefix="济宁高新区党工委",
        party_org="中共济宁高新区工作委员会",
        property_prefix="济宁",
        center=(116.65, 35.42),
        id_regions=(("370811", 60), ("370812", 10), ("370883", 10), ("370881", 10), ("370828", 10)),
        streets=(
            StreetSpec(
                name="洸河街道",
                party_org="中共洸河街道工作委员会",
                police_station="洸河派出所",
                communities=("洸河社区", "杏林社区", "金宇社区"),
            ),
            StreetSpec(
                name="黄屯街道",
                party_org="中共黄屯街道工作委员会",
                police_station="黄屯派出所",
                communities=("黄屯社区", "王因社区"),
            ),
        ),
    ),
    DistrictSpec(
        code="370872",
        name="太白湖新区",
        gov="太白湖新区",
        party_prefix="太白湖新区党工委",
        party_org="中共济宁太白湖新区工作委员会",
        property_prefix="济宁",
        center=(116.60, 35.36),
        id_regions=(("370811", 60), ("370826", 10), ("370827", 10), ("370831", 10), ("370881", 10)),
        streets=(
            StreetSpec(
                name="许庄街道",
                party_org="中共许庄街道工作委员会",
                police_station="许庄派出所",
                communities=("京杭佳苑社区", "湖畔家园社区", "运河社区"),
            ),
            # A town (镇) in name, run as a street in the grid tree.
            StreetSpec(
                name="石桥镇",
                party_org="中共石桥镇委员会",
                police_station="石桥派出所",
                communities=("石桥社区", "北湖社区"),
            ),
        ),
    ),
)

# Residential compounds (小区). A grid is one compound or resident group, as the seed describes.
COMPOUNDS: tuple[str, ...] = (
    "阳光花园",
    "金色家园",
    "锦绣华庭",
    "御景苑",
    "翰林苑",
    "文苑小区",
    "康桥郡",
    "幸福里",
    "和美家园",
    "书香门第",
    "华府名苑",
    "龙泽苑",
    "杏花苑",
    "凤凰城",
    "水泊人家",
    "青龙湾",
    "泰和园",
    "丽景苑",
    "滨河小区",
    "南苑小区",
    "东方名郡",
    "紫荆花园",
    "新城小区",
    "金水湾",
    "银河小区",
    "翡翠城",
    "春江花园",
    "世纪家园",
    "嘉和苑",
    "运河名居",
    "湖畔雅居",
    "荷花苑",
    "京杭名府",
    "润园",
    "颐和苑",
    "桃李园",
    "建设小区",
    "工人新村",
    "电业小区",
    "教育小区",
    "供销社宿舍",
    "向阳小区",
    "和平里",
    "东关小区",
    "北苑小区",
    "西城佳苑",
    "明珠花园",
)

# A community named like a compound (京杭佳苑社区) has that compound as its first grid.
COMPOUND_SUFFIXES = ("苑", "园", "城", "里", "居", "家园")

# Functional departments at district level: (key, name suffix, belongs to the party committee).
FUNCTIONAL_DEPARTMENTS: tuple[tuple[str, str, bool], ...] = (
    ("housing", "住房和城乡建设局", False),
    ("civil", "民政局", False),
    ("justice", "司法局", False),
    ("politics_law", "政法委", True),
    ("social_work", "社会工作部", True),
    ("market", "市场监督管理局", False),
    ("emergency", "应急管理局", False),
    ("police", "公安局", False),
    ("enforcement", "综合行政执法局", False),
    ("health", "卫生健康局", False),
)

# Utilities: five kinds, eight units, as in the High-tech Zone ("5类8个民生服务单位").
UTILITIES: tuple[tuple[str, str, str], ...] = (
    ("water", Department.Utility.WATER, "{gov}水务集团有限公司"),
    ("power", Department.Utility.POWER, "国网{gov}供电公司"),
    ("gas", Department.Utility.GAS, "华润燃气（{gov}）有限公司"),
    ("gas2", Department.Utility.GAS, "{gov}港华燃气有限公司"),
    ("heating", Department.Utility.HEATING, "{gov}热力有限公司"),
    ("mobile", Department.Utility.TELECOM, "中国移动{gov}分公司"),
    ("unicom", Department.Utility.TELECOM, "中国联通{gov}分公司"),
    ("telecom", Department.Utility.TELECOM, "中国电信{gov}分公司"),
)

# Departments that attach a professional grid worker to every grid of a street ("一人多格").
PROFESSIONAL_DEPARTMENTS = ("water", "power", "gas", "market")

PROPERTY_BRANDS: tuple[str, ...] = (
    "鸿顺",
    "银都",
    "安居",
    "康城",
    "惠民",
    "恒信",
    "嘉和",
    "盛世",
    "泰和",
    "瑞丰",
    "德润",
    "福源",
    "华宇",
    "锦程",
    "益家",
    "聚福",
)

LAW_FIRMS: tuple[str, ...] = (
    "山东梁善律师事务所",
    "山东汇通律师事务所",
    "山东明湖律师事务所",
    "山东运河律师事务所",
    "山东太白律师事务所",
    "山东任城律师事务所",
)

# Mobile prefixes for residents' phone numbers.
MOBILE_PREFIXES: tuple[str, ...] = (
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "176",
    "177",
    "178",
    "180",
    "181",
    "182",
    "183",
    "186",
    "187",
    "188",
    "189",
    "199",
)

# What lives in a flat: (kind, weight). Weights give about 20 % elderly residents, a fifth of them
# living alone, and an infant in roughly one flat in six.
HOUSEHOLD_KINDS: tuple[tuple[str, int], ...] = (
    ("elderly_alone", 9),
    ("elderly_couple", 12),
    ("single_adult", 9),
    ("young_couple", 12),
    ("couple_with_infant", 12),
    ("family_with_child", 22),
    ("three_generations", 14),
)
