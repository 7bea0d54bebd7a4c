"""What intake reads on every submission and almost never changes — a category by its code, an area by
its code, a building's grid, an area's spoken address, and the route (level and owner) of a category at a
place — kept in each web process as one Snapshot: the area tree from city to grid (no polygons), the
active categories, routing rules, departments and grid posts (a Jining-sized city: ~8,000 areas and
~10,000 posts, loaded in a fraction of a second). routing.route asks it the same questions it asks the
database elsewhere.

Intake is the busiest write path (a heating-main burst brings thousands of reports an hour); read from
the database, this reference data cost five to eight queries per submission. The copies are dropped:
- in every process within a second when one of the models they come from is saved or deleted (a
  generation token in the shared cache — Redis in production — is replaced on commit; a process reads
  it at most once a second, so a burst of submissions shares one read), and at once in the process
  that made the change;
- when the Shanghai date changes (posts start and end by date, with no save);
- after REFERENCE_CACHE_SECONDS (60) in any case, so that a change the signals cannot see (a raw
  `QuerySet.update`, a process without the shared cache) lasts at most a minute.

Intake reads through here, and the public map finds grid centroids in the snapshot; screens that edit
or show these models read the database as before.
"""

import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from muling.people.models import Department, Person, Post
from muling.people.roles import Role
from muling.places.levels import Level as AreaLevel
from muling.places.models import Area

from . import routing
from .enums import HandlerKind
from .models import Category, RoutingRule

GENERATION_KEY = "muling:reference:generation"
MAX_BUILDINGS = 20_000  # remembered by code, the least recently used evicted first


class _Store:
    """The per-process copies, dropped together when the generation, the date or the age says so."""

    def __init__(self):
        self.lock = threading.Lock()
        self.token = None
        self.read_at = 0.0
        self.shared = None
        self.shared_read_at = 0.0
        self.tables: dict[str, OrderedDict] = {}

    def table(self, name: str) -> OrderedDict:
        self._check()
        return self.tables.setdefault(name, OrderedDict())

    def forget(self) -> None:
        with self.lock:
            self.tables = {}
            self.token = None
            self.read_at = 0.0
            self.shared_read_at = 0.0

    def _check(self) -> None:
        """Drop everything if another process changed reference data, the day changed, or the copies
        are older than the limit."""
        now = time.monotonic()
        max_age = int(getattr(settings, "REFERENCE_CACHE_SECONDS", 60))
        if now - self.shared_read_at >= 1.0:
            self.shared = _shared_generation()
            self.shared_read_at = now
        token = (self.shared, timezone.localdate())
        with self.lock:
            if token != self.token or now - self.read_at > max_age or max_age <= 0:
                self.tables = {}
                self.token = token
                self.read_at = now


_store = _Store()


def _shared_generation():
    return cache.get(GENERATION_KEY)


def _remember(table: str, key, load, limit: int | None = None):
    rows = _store.table(table)
    with _store.lock:
        if key in rows:
            rows.move_to_end(key)
            return rows[key]
    value = load()
    with _store.lock:
        rows[key] = value
        if limit is not None and len(rows) > limit:
            rows.popitem(last=False)
    return value


# ---- the snapshot --------------------------------------------------------------------------------

# The posts routing asks for on a grid. A question about another role goes to the database.
ROUTING_ROLES = (Role.GRID_WORKER, Role.PROFESSIONAL_GRID_WORKER)


@dataclass
class Snapshot(routing.Directory):
    """The tree from city to grid (without polygons), the active categories, routing rules,
    departments and the grid posts, answering routing.Directory's questions from memory."""

    by_path: dict[str, Area] = field(default_factory=dict)
    by_code: dict[str, Area] = field(default_factory=dict)
    categories: dict[str, Category] = field(default_factory=dict)
    rules: dict[int, dict[str, Department]] = field(default_factory=dict)
    departments: list[tuple[int, int, Department]] = field(default_factory=list)  # (-depth, id, dept)
    posts: dict[tuple[int, str], list[Post]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> "Snapshot":
        snap = cls()
        for a in Area.objects.filter(level__lte=AreaLevel.GRID).defer("polygon"):
            snap.by_path[a.path] = a
            snap.by_code[a.code] = a
        snap.categories = {c.code: c for c in Category.objects.filter(is_active=True)}
        for rule in RoutingRule.objects.select_related("department", "area").only(
            "category_id", "area__path", "department"
        ):
            snap.rules.setdefault(rule.category_id, {})[rule.area.path] = rule.department
        departments = Department.objects.select_related("area").order_by("id")
        snap.departments = sorted((-d.area.depth, d.pk, d) for d in departments)
        posts = Post.objects.active().filter(role__in=ROUTING_ROLES).select_related("person")
        for post in posts.order_by("start_date", "id"):
            snap.posts.setdefault((post.area_id, post.role), []).append(post)
        return snap

    # routing.Directory

    def ancestor_at(self, area: Area, level: int) -> Area | None:
        if area.level == level:
            return area
        if area.level < level:
            return None
        return self.by_path.get(area.path[: (area.depth - (area.level - level)) * Area.steplen])

    def post_holder(self, area: Area, role: str, department: Department | None = None) -> Person | None:
        if role not in ROUTING_ROLES:
            return super().post_holder(area, role, department)
        for post in self.posts.get((area.pk, role), ()):
            if department is None or post.department_id == department.pk:
                return post.person
        return None

    def department_for(self, category, area: Area) -> Department | None:
        paths = routing.ancestor_paths(area)
        rules = self.rules.get(category.pk, {})
        for path in reversed(paths):  # the most specific area first
            if path in rules:
                return rules[path]
        if category.handler_kind == HandlerKind.GRID:
            return None
        kind, covered = category.handler_kind, set(paths)
        for _depth, _id, d in self.departments:  # deepest first, then by id
            if d.kind != kind or d.area.path not in covered:
                continue
            if kind == HandlerKind.UTILITY and category.utility and d.utility != category.utility:
                continue
            return d
        return None


def snapshot() -> Snapshot:
    return _remember("snapshot", None, Snapshot.load)


# ---- what intake asks ----------------------------------------------------------------------------


def category(code: str) -> Category | None:
    """The active category with this code, or None."""
    return snapshot().categories.get(code) if code else None


def area(code: str) -> Area | None:
    """The area with this code: city to grid from the snapshot, buildings remembered one by one."""
    if not code:
        return None
    found = snapshot().by_code.get(code)
    if found is not None:
        return found
    return _remember("area", code, lambda: Area.objects.filter(code=code).first(), MAX_BUILDINGS)


def grid_of(area_: Area) -> Area | None:
    """routing.grid_of from memory (a building's parent is the grid)."""
    if area_.level == AreaLevel.BUILDING:
        return snapshot().ancestor_at(area_, AreaLevel.GRID)
    return routing.grid_of(area_)


def full_name(area_: Area) -> str:
    """Area.full_name from memory: 'street community grid …', what a report without an address is
    filed under."""
    snap = snapshot()
    ancestors = [snap.ancestor_at(area_, level) for level in range(AreaLevel.STREET, area_.level)]
    return " ".join([*(a.name for a in ancestors if a is not None), area_.name])


def route(category_: Category, place: routing.Place) -> tuple[int, routing.Owner]:
    """routing.route answered from the snapshot."""
    return routing.route(category_, place, snapshot())


# ---- invalidation --------------------------------------------------------------------------------


def changed() -> None:
    """Reference data changed: drop this process's copies now and every process's on commit (a
    process that re-read before the commit would otherwise keep the old rows)."""
    _bump()
    transaction.on_commit(_bump)


def _bump() -> None:
    cache.set(GENERATION_KEY, uuid.uuid4().hex, None)
    _store.forget()


def forget() -> None:
    """Drop this process's copies (tests, whose rows roll back without a signal)."""
    _store.forget()


def _on_change(sender, instance=None, **kwargs) -> None:
    if sender is Person and not Post.objects.filter(person_id=instance.pk).exists():
        return  # only post holders' names are in the copies (a route's owner)
    changed()


def connect_signals() -> None:
    """Called from CasesConfig.ready: every model the copies are built from."""
    from django.db.models.signals import post_delete, post_save

    for model in (Category, RoutingRule, Area, Department, Post, Person):
        post_save.connect(_on_change, sender=model, dispatch_uid=f"reference-{model.__name__}-save")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"reference-{model.__name__}-delete")
