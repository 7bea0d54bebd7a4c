"""Write a manifest of the generator's shape (var/bench/<db>.json) for a database loaded with
`manage.py load_demo`, so the harness can run before or without bench/generate.py.

    DATABASE_URL=postgres://…/muling_h1 python -m bench.harness_demo_manifest

The demo has no city-level post: its superuser `admin` stands in for the city actor.
"""

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.harness_settings")

ROLES = {
    "resident": "resident",
    "grid_worker": "grid_worker",
    "community_secretary": "community_secretary",
    "street_secretary": "street_secretary",
    "county_secretary": "county_secretary",
    "city": "admin",
    "department_staff": "department_staff",
}


def main() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from muling.api import services as api_services
    from muling.cases.models import Case
    from muling.people import scope
    from muling.places.models import Area

    User = get_user_model()
    actors = {}
    for role, username in ROLES.items():
        user = User.objects.select_related("person__household").get(username=username)
        posts = scope.active_posts(user)
        if posts:
            area = posts[0].area
        elif user.person_id and user.person.household_id:
            area = Area.objects.get(pk=user.person.household.building_id)
        else:
            area = Area.objects.get(depth=1)
        actors[role] = {
            "username": username,
            "password": "muling2026",
            "person_id": user.person_id,
            "area_id": area.pk,
            "area_path": area.path,
        }
        if role in ("resident", "grid_worker", "street_secretary"):
            actors[role]["token"] = api_services.token_create(user=user, name="bench").secret
    grid = Area.objects.get(pk=actors["grid_worker"]["area_id"])
    chain = {a.depth: a for a in Area.objects.get_ancestors(grid)}
    areas = {
        "city_id": chain[1].pk,
        "district_id": chain[2].pk,
        "street_id": chain[3].pk,
        "community_id": chain[4].pk,
        "grid_id": grid.pk,
    }
    name = settings.DATABASES["default"]["NAME"]
    path = Path(settings.BASE_DIR) / "var" / "bench" / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    manifest = {"size": "demo", "counts": {"cases": Case.objects.count()}, "actors": actors, "areas": areas}
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
    sys.stdout.write(f"{path}\n")


if __name__ == "__main__":
    main()
