"""The back office in the permission matrix (issue 7, item 1): for every model registered in the admin,
the superuser opens its list, a resident is sent to the admin login, and a staff user holding a
secretary's post gets exactly what the admin's own permission rules grant (ScopedAdminMixin: posts),
and in the lists of cases, people, households and areas only the rows inside the post's scope."""

from pathlib import Path

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import reverse

from .test_permission_matrix import ARTIFACT, matrix  # noqa: F401  (the shared fixture)

SCOPED_ROWS = {
    # model label: (world, objects) -> (inside, outside, text that shows an object in its list)
    "cases.case": lambda w, o: (o.case["in"], o.case["out"], lambda c: c.number),
    "people.person": lambda w, o: (o.person["in"], o.person["out"], lambda p: p.name),
    # The area list is a tree: it opens at the top of the user's scope (the community).
    "places.area": lambda w, o: (w.area("community"), w.area("other_community"), lambda a: a.name),
}


@pytest.fixture
def secretary(matrix):  # noqa: F811
    w, objects, _tokens = matrix
    user = w.users["community_secretary"]
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def test_admin_changelists(matrix, secretary):  # noqa: F811
    w, objects, _tokens = matrix
    clients = {}
    for role in ("admin", "resident", "secretary"):
        clients[role] = Client()
        clients[role].force_login(secretary if role == "secretary" else w.users[role])
    factory = RequestFactory()
    checks, problems = 0, []
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label_lower
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        r = clients["admin"].get(url)
        checks += 1
        if r.status_code != 200:
            problems.append(f"superuser {url}: {r.status_code}")
        r = clients["resident"].get(url)
        checks += 1
        if not (r.status_code == 302 and "/admin/login/" in r.headers["Location"]):
            problems.append(f"resident {url}: {r.status_code}")
        request = factory.get(url)
        request.user = secretary
        expected = 200 if model_admin.has_view_or_change_permission(request) else 403
        r = clients["secretary"].get(url)
        checks += 1
        if r.status_code != expected:
            problems.append(f"secretary {url}: expected {expected}, got {r.status_code}")
        if label in SCOPED_ROWS and r.status_code == 200:
            inside, outside, text = SCOPED_ROWS[label](w, objects)
            content = r.content.decode()
            checks += 2
            if text(inside) not in content:
                problems.append(f"secretary {url}: in-scope {text(inside)} missing")
            if text(outside) in content:
                problems.append(f"secretary {url}: LEAK of out-of-scope {text(outside)}")
            change = reverse(
                f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[outside.pk]
            )
            r = clients["secretary"].get(change)
            checks += 1
            if r.status_code == 200:
                problems.append(f"secretary {change}: LEAK, out-of-scope object opened")
    print(f"admin matrix: {checks} checks over {len(admin.site._registry)} models")
    out = Path(ARTIFACT).with_name("admin-matrix.txt")
    out.parent.mkdir(exist_ok=True)
    out.write_text(
        f"admin matrix: {checks} checks over {len(admin.site._registry)} models\n" + "\n".join(problems)
    )
    assert not problems, "\n".join(problems)
