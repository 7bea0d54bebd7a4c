"""Row-level scoping for the back office.

The Django admin decides *which models* a staff user may open; this mixin decides *which rows*. A
superuser sees everything. Anyone else sees only what `muling.people.scope` says their posts cover,
in the list, in the change form (an object outside scope is "not found", never "forbidden"), in
foreign-key choices and in autocomplete, so the back office cannot become a way round the scoping
that every page and API endpoint goes through.

What a staff user may do also comes from their posts (DESIGN: "permissions come from posts"): each
admin names the roles that may view and the roles that may add or change. Django's model permissions
still work on top, for a clerk given a group by a superuser; deleting is left to those permissions
only, because a mistaken delete of an area or a resident is not something a post should imply.
"""

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from muling.places.models import Area, Household

from . import scope
from .models import Department, Person, Post
from .roles import ORGANISATION_ROLES, STAFF_MANAGER_ROLES


def is_unrestricted(user) -> bool:
    return bool(user.is_active and user.is_superuser)


def visible_departments(user) -> QuerySet[Department]:
    """Departments serving an area inside the user's subtree."""
    return Department.objects.filter(scope.areas_q(user, field="area__path"))


def choosable_departments(user) -> QuerySet[Department]:
    """Departments a user may name on a post: those inside their subtree and those serving it from above
    (the county's water company works in every community of the county)."""
    paths = scope.area_paths(user)
    if paths == scope.ALL:
        return Department.objects.all()
    if not paths:
        return Department.objects.none()
    above = Q()
    for path in paths:
        # An area's ancestors are the prefixes of its path, one step (Area.steplen) at a time.
        above |= Q(area__path__in=[path[:n] for n in range(Area.steplen, len(path) + 1, Area.steplen)])
    return Department.objects.filter(scope.under_paths_q(paths, "area__path") | above)


class ScopedAdminMixin:
    """Put first in a ModelAdmin's bases. Override `scope_queryset` for the model's rows."""

    #: roles whose holders may open this model's list and change forms (read-only unless also below)
    view_roles: Iterable[str] = ORGANISATION_ROLES
    #: roles whose holders may add and change rows, inside their scope
    edit_roles: Iterable[str] = STAFF_MANAGER_ROLES

    def scope_queryset(self, request, qs: QuerySet) -> QuerySet:
        """The rows of `qs` this (non-superuser) request may see. Default: nothing."""
        return qs.none()

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if is_unrestricted(request.user):
            return qs
        return self.scope_queryset(request, qs)

    def choices_in_scope(self, request, model) -> QuerySet | None:
        """What a non-superuser may pick in a foreign key to `model`; None leaves the field alone.

        Areas are those the user may *edit* here (a lawyer's post over a community lets them see it,
        not put households or posts into it); people and households are those they can see.
        """
        user = request.user
        if model is Area:
            return Area.objects.filter(scope.areas_q(user, field="path", roles=self.edit_roles))
        if model is Household:
            return scope.visible_households(user)
        if model is Person:
            return scope.visible_persons(user)
        if model is Post:
            return scope.visible_posts(user)
        if model is Department:
            return choosable_departments(user)
        return None

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "queryset" not in kwargs and not is_unrestricted(request.user):
            choices = self.choices_in_scope(request, db_field.related_model)
            if choices is not None:
                kwargs["queryset"] = choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # ---- permissions: Django's model permissions, or a post that grants them -----------------------

    def _holds_post(self, request, roles: Iterable[str]) -> bool:
        return bool(roles) and scope.has_any_role(request.user, roles)

    def has_module_permission(self, request):
        return super().has_module_permission(request) or self._holds_post(
            request, {*self.view_roles, *self.edit_roles}
        )

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or self._holds_post(
            request, {*self.view_roles, *self.edit_roles}
        )

    def has_add_permission(self, request, *args):
        return super().has_add_permission(request, *args) or self._holds_post(request, self.edit_roles)

    def has_change_permission(self, request, obj=None):
        if super().has_change_permission(request, obj):
            return True
        if not self._holds_post(request, self.edit_roles):
            return False
        return obj is None or self.may_edit(request, obj)

    def may_edit(self, request, obj) -> bool:
        """Whether a post-holder may change this particular row (it is already known to be in scope)."""
        return True

    # django-import-export: importing adds rows, exporting reads them.
    def has_import_permission(self, request):
        return self.has_add_permission(request)

    def has_export_permission(self, request):
        return self.has_view_permission(request)
