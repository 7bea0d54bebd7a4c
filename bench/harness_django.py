"""The parts of the harness that run inside Muling (Django set up on the benchmark database), each in a
subprocess of bench/harness.py so that its connections and memory never mix with the measured server:

  prepare   API tokens the manifest lacks, area codes, and the intake bodies (one JSON per line)
  sweep     the real escalation sweep (`escalate_overdue_cases`), timed, N times

    DATABASE_URL=… python -m bench.harness_django prepare --manifest var/bench/<db>.json --out DIR
    DATABASE_URL=… python -m bench.harness_django sweep --runs 3
"""

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.harness_settings")

PROBLEMS = [
    "楼道灯不亮",
    "下水道堵塞，污水外溢",
    "路面有坑，电动车容易摔倒",
    "垃圾桶满了没人清运",
    "夜里施工噪音很大",
    "暖气片不热",
    "自来水水压太低",
    "门口有车乱停，堵住消防通道",
    "绿化带杂草很高",
    "电梯经常停运",
    "井盖缺失",
    "外墙皮脱落",
    "路灯一直亮着不关",
    "小广告贴满楼道",
    "楼顶漏水",
]
PLACES = ["{n}号楼", "{n}号楼{u}单元门口", "小区东门", "小区西门", "菜市场旁边", "幼儿园附近", "{n}号楼后面"]
DETAILS = [
    "已经{d}天了",
    "老人出行不方便",
    "希望尽快处理",
    "晚上尤其明显",
    "之前反映过还没解决",
    "有安全隐患",
    "孩子上学必经之路",
    "",
]


def report_text(rng: random.Random) -> str:
    place = rng.choice(PLACES).format(n=rng.randint(1, 40), u=rng.randint(1, 6))
    detail = rng.choice(DETAILS).format(d=rng.randint(2, 30))
    return f"{place}{rng.choice(PROBLEMS)}" + (f"，{detail}。" if detail else "。")


def prepare(manifest_path: Path, out: Path, count: int) -> dict:
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from muling.api import services as api_services
    from muling.cases.models import Category
    from muling.cases.routing import grid_at_point
    from muling.places.levels import Level
    from muling.places.models import Area

    manifest = json.loads(manifest_path.read_text())
    actors = manifest["actors"]
    User = get_user_model()
    tokens = {}
    for role in ("resident", "grid_worker", "street_secretary"):
        token = actors[role].get("token")
        if not token:
            token = api_services.token_create(
                user=User.objects.get(username=actors[role]["username"]), name="bench"
            )
            token = token.secret
        tokens[role] = token
    ids = manifest["areas"]
    codes = dict(Area.objects.filter(pk__in=list(ids.values())).values_list("pk", "code"))
    area_codes = {key.removesuffix("_id"): codes.get(pk) for key, pk in ids.items()}
    actor_areas = dict(
        Area.objects.filter(pk__in=[a["area_id"] for a in actors.values()]).values_list("pk", "code")
    )
    actor_codes = {role: actor_areas.get(a["area_id"]) for role, a in actors.items()}

    categories = [
        c.code
        for c in Category.objects.filter(is_active=True)
        if not any(q.get("required") for q in (c.extra_questions or []))
    ]
    # Intake lands in a neighbouring street with a resident of its own: the bench actors' queue,
    # board and dashboards are then measured on the data as generated, not on the thousands of cases
    # the intake runs (of this run and of earlier ones) add.
    street = intake_street(ids)
    resident = intake_resident(street)
    tokens["intake_resident"] = api_services.token_create(user=resident, name="bench intake").secret
    household_id = resident.person.household_id
    under_street = Area.objects.filter(path__startswith=street.path)
    places = list(
        under_street.filter(level__in=[Level.GRID, Level.BUILDING])
        .order_by("?")
        .values_list("code", flat=True)[:200]
    )
    points = []
    for lat, lon in under_street.filter(
        level=Level.GRID, polygon__isnull=False, centroid_lat__isnull=False
    ).values_list("centroid_lat", "centroid_lon")[:100]:
        if grid_at_point(lat=lat, lon=lon) is not None:  # only points the locator really places in a grid
            points.append((lat, lon))

    rng = random.Random(20261129)
    out.mkdir(parents=True, exist_ok=True)
    bodies = out / "muling-intake.jsonl"
    kinds = {"household": 0, "area_code": 0, "point": 0}
    with bodies.open("w") as f:
        for i in range(count):
            body = {"category": rng.choice(categories), "text": report_text(rng), "is_public": i % 3 != 0}
            choice = i % 3
            if choice == 0 and household_id:
                body["household_id"] = household_id
                kinds["household"] += 1
            elif choice == 1 and points:
                lat, lon = rng.choice(points)
                body["lat"], body["lon"] = lat, lon
                kinds["point"] += 1
            else:
                body["area_code"] = rng.choice(places)
                kinds["area_code"] += 1
            f.write(json.dumps(body, ensure_ascii=False) + "\n")
    return {
        "tokens": tokens,
        "intake_street": street.code,
        "areas": area_codes,
        "actor_areas": actor_codes,
        "intake_bodies": str(bodies),
        "intake_locations": kinds,
        "categories": categories,
    }


def intake_street(ids: dict):
    """A street of the bench district other than the bench actors' street."""
    from muling.places.levels import Level
    from muling.places.models import Area

    district = Area.objects.get(pk=ids["district_id"])
    return (
        Area.objects.filter(path__startswith=district.path, level=Level.STREET)
        .exclude(pk=ids["street_id"])
        .order_by("path")
        .first()
    )


def intake_resident(street):
    """The account that files the intake runs' reports: a resident of `street`, made once."""
    from django.contrib.auth import get_user_model

    from bench.generate import PASSWORD
    from muling.people import services as people
    from muling.people.models import Person

    User = get_user_model()
    user = User.objects.select_related("person").filter(username="bench_intake_resident").first()
    if user is not None:
        return user
    person = (
        Person.objects.filter(household__building__path__startswith=street.path, user__isnull=True)
        .order_by("id")
        .first()
    )
    return people.user_create_for_person(person=person, username="bench_intake_resident", password=PASSWORD)


def sweep(runs: int) -> list[dict]:
    import django

    django.setup()
    from django.utils import timezone

    from muling.cases.enums import OPEN_STATUSES, Level
    from muling.cases.models import Case
    from muling.cases.services import escalate_overdue_cases

    results = []
    for _ in range(runs):
        now = timezone.now()
        due = Case.objects.filter(status__in=OPEN_STATUSES, deadline__lt=now, level__lt=Level.COUNTY).count()
        started = time.perf_counter()
        escalated = escalate_overdue_cases(now=now)
        results.append(
            {"seconds": round(time.perf_counter() - started, 3), "escalated": escalated, "due_before": due}
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--manifest", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--bodies", type=int, default=3000)
    s = sub.add_parser("sweep")
    s.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if args.command == "prepare":
        result = prepare(args.manifest, args.out, args.bodies)
    else:
        result = sweep(args.runs)
    sys.stdout.write("BENCH_JSON " + json.dumps(result, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
