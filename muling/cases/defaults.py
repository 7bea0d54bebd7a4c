"""Default categories (事项分类) with the time limits of Beijing DB11/T practice (see DESIGN.md):
dispatch 1 h (emergency) / 2 h (water, power, gas, heating) / 24 h (ordinary); feedback 1 day for
utilities and hazards, 7 days ordinary, 15 days complex. All editable in admin."""

# code, name, dispatch_hours, resolve_days, handler_kind, utility, grid_admitted, order, extra_questions
DEFAULT_CATEGORIES = [
    (
        "heating",
        "供暖",
        2,
        1,
        "utility",
        "heating",
        False,
        10,
        [{"code": "indoor_temp", "label": "室内温度（℃）", "datatype": "number", "required": False}],
    ),
    ("water_supply", "供水", 2, 1, "utility", "water", False, 20, []),
    ("power", "供电", 2, 1, "utility", "power", False, 30, []),
    ("gas", "燃气", 2, 1, "utility", "gas", False, 40, []),
    ("drainage", "排水与下水道", 24, 7, "grid", "", True, 50, []),
    ("property", "物业服务", 24, 7, "property", "", False, 60, []),
    ("neighbour_dispute", "邻里纠纷", 24, 15, "grid", "", True, 70, []),
    ("sanitation", "环境卫生", 24, 7, "grid", "", True, 80, []),
    (
        "facilities",
        "公共设施（车棚、围墙、路面）",
        24,
        7,
        "grid",
        "",
        True,
        90,
        [
            {
                "code": "facility",
                "label": "设施类型",
                "datatype": "singlevaluelist",
                "required": False,
                "values": [
                    {"key": "bike_shed", "name": "车棚"},
                    {"key": "wall", "name": "围墙"},
                    {"key": "road", "name": "路面"},
                    {"key": "light", "name": "路灯"},
                ],
            }
        ],
    ),
    ("safety_hazard", "安全隐患", 1, 1, "grid", "", True, 5, []),
    ("elderly_help", "为老服务", 24, 7, "grid", "", True, 100, []),
    ("policy", "政策咨询", 24, 7, "grid", "", True, 110, []),
    ("other", "其他", 24, 7, "grid", "", True, 200, []),
]


def install_default_categories(Category) -> None:
    for code, name, hours, days, handler, utility, admitted, order, questions in DEFAULT_CATEGORIES:
        Category.objects.update_or_create(
            code=code,
            defaults=dict(
                name=name,
                dispatch_hours=hours,
                resolve_days=days,
                handler_kind=handler,
                utility=utility,
                grid_admitted=admitted,
                order=order,
                extra_questions=questions,
                working_days=days > 1,
            ),
        )
