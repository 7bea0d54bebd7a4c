"""Back office for accounts, people, departments and posts.

The ID-card number is shown masked and can only be replaced, never read back; phones are masked too,
except for `privacy.see_full_values`, and every export is logged (admin_privacy.py). Posts are checked
by `services.post_problem`, the same rule `post_create` enforces, so a refusal appears at its field.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from muling.places.admin import SpreadsheetMixin
from muling.places.resources import adopt_saved

from . import crypto, scope, services
from .admin_privacy import LoggedExportMixin, MaskedPhoneAdminMixin
from .admin_scope import ScopedAdminMixin, is_unrestricted, visible_departments
from .models import Department, Person, Post, User
from .resources import PersonResource, PostResource
from .roles import ORGANISATION_ROLES, RESIDENT_CARE_ROLES

# ---- accounts ---------------------------------------------------------------------------------------

GRANTING_FIELDS = ("is_superuser", "is_staff", "groups", "user_permissions")


@admin.register(User)
class UserAdmin(ScopedAdminMixin, MaskedPhoneAdminMixin, DjangoUserAdmin):
    """Django's user admin plus the phone used to log in and the person whose posts grant rights.

    Accounts carry no post of their own, so only superusers and holders of Django's user permissions
    reach this page, and a non-superuser cannot grant admin rights from it.
    """

    view_roles = ()
    edit_roles = ()
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (gettext_lazy("睦邻"), {"fields": ("phone", "person")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (gettext_lazy("睦邻"), {"fields": ("phone", "person")}),
    )
    list_display = ("username", "first_name", "phone", "person", "is_staff", "is_active")
    list_select_related = ("person",)
    search_fields = ("username", "first_name", "last_name", "email", "phone", "person__name")
    autocomplete_fields = ("person",)

    def scope_queryset(self, request, qs):
        return qs.filter(is_superuser=False, person__in=scope.visible_persons(request.user))

    def get_readonly_fields(self, request, obj=None):
        readonly = tuple(super().get_readonly_fields(request, obj))
        if not is_unrestricted(request.user):
            readonly += GRANTING_FIELDS
        return readonly


# ---- people -----------------------------------------------------------------------------------------


TAG_FIELDS = ("is_elderly", "lives_alone", "is_disabled", "is_infant", "is_party_member", "new_employment")


class PersonForm(forms.ModelForm):
    id_number = forms.CharField(
        label=gettext_lazy("身份证号"),
        required=False,
        max_length=18,
        help_text=gettext_lazy("填写则替换已登记的号码，留空则不变；号码加密保存，只显示脱敏后的形式"),
    )

    class Meta:
        model = Person
        fields = (
            "name",
            "gender",
            "birth_date",
            "phone",
            "household",
            *TAG_FIELDS,
            "reports_to_community",
        )

    def clean_id_number(self):
        value = (self.cleaned_data.get("id_number") or "").strip().upper()
        if not value:
            return ""
        problem = services.id_number_problem(value)
        if problem:
            raise forms.ValidationError(problem)
        taken = Person.objects.filter(id_number_hash=crypto.lookup_hash(value))
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("该身份证号已登记"))
        return value

    def clean_phone(self):
        phone = (self.cleaned_data.get("phone") or "").strip()
        if phone and not services.PHONE_RE.match(phone):
            raise forms.ValidationError(_("手机号格式不正确"))
        return phone

    def clean_birth_date(self):
        born = self.cleaned_data.get("birth_date")
        if born and born > timezone.localdate():
            raise forms.ValidationError(_("出生日期不能晚于今天"))
        return born

    def save(self, commit=True):
        person = super().save(commit=False)
        if self.cleaned_data.get("id_number"):
            person.set_id_number(self.cleaned_data["id_number"])
        if commit:
            person.save()
            self.save_m2m()
        return person


@admin.register(Person)
class PersonAdmin(
    ScopedAdminMixin, MaskedPhoneAdminMixin, LoggedExportMixin, SpreadsheetMixin, admin.ModelAdmin
):
    form = PersonForm
    export_person_field = "pk"
    resource_classes = [PersonResource]
    # Department and property staff see the staff directory of their area; changing a record is for
    # those who look after the residents of the household's building.
    view_roles = ORGANISATION_ROLES
    edit_roles = RESIDENT_CARE_ROLES
    list_display = (
        "name",
        "gender",
        "phone",
        "household",
        "id_number_masked",
        "is_elderly",
        "is_party_member",
    )
    list_filter = (*TAG_FIELDS, "gender")
    list_select_related = ("household__building",)
    search_fields = ("name", "phone")
    search_help_text = gettext_lazy("按姓名、手机号或完整身份证号查找")
    autocomplete_fields = ("household", "reports_to_community")
    readonly_fields = ("id_number_masked", "created_at")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "name",
                    "gender",
                    "birth_date",
                    "phone",
                    "id_number_masked",
                    "id_number",
                    "household",
                )
            },
        ),
        (gettext_lazy("标签"), {"fields": (*TAG_FIELDS, "reports_to_community")}),
        (gettext_lazy("记录"), {"fields": ("created_at",)}),
    )

    @admin.display(description=gettext_lazy("身份证号"))
    def id_number_masked(self, person: Person) -> str:
        return person.id_number_masked or "—"

    def scope_queryset(self, request, qs):
        return qs & scope.visible_persons(request.user)

    def may_edit(self, request, obj):
        return obj.household_id is not None and scope.covers(
            request.user, obj.household.building, self.edit_roles
        )

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip().upper()
        if services.ID_RE.match(term):
            # The number is stored encrypted; its keyed hash is what can be looked up.
            return queryset.filter(id_number_hash=crypto.lookup_hash(term)), False
        return super().get_search_results(request, queryset, search_term)

    def save_model(self, request, obj, form, change):
        if change:
            obj.save()
            return
        created = services.person_create(
            name=obj.name,
            phone=obj.phone,
            id_number=form.cleaned_data.get("id_number", ""),
            household=obj.household,
            gender=obj.gender,
            birth_date=obj.birth_date,
            **{tag: getattr(obj, tag) for tag in services.TAG_FIELDS},
        )
        adopt_saved(obj, created)


# ---- departments ------------------------------------------------------------------------------------


@admin.register(Department)
class DepartmentAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "kind", "utility", "area", "phone")
    list_filter = ("kind", "utility")
    list_select_related = ("area",)
    search_fields = ("code", "name")
    autocomplete_fields = ("area",)

    def scope_queryset(self, request, qs):
        return qs & visible_departments(request.user)

    def may_edit(self, request, obj):
        return request.user.has_perm("people.create_post_in_area", obj.area)


# ---- posts ------------------------------------------------------------------------------------------


class PostForm(forms.ModelForm):
    class Meta:
        model = Post
        fields = ("person", "role", "area", "department", "start_date", "end_date", "title")

    def clean(self):
        cleaned = super().clean()
        if any(
            name in self.errors for name in ("person", "role", "area", "department", "start_date", "end_date")
        ):
            return cleaned
        person, start = cleaned.get("person"), cleaned.get("start_date")
        if person is None or start is None:
            return cleaned
        if transaction.get_connection().in_atomic_block:
            # The admin runs each save in one transaction: locking the person here, as post_create
            # does, keeps a concurrent save from slipping an overlapping post past this check.
            Person.objects.select_for_update().filter(pk=person.pk).first()
        problem = services.post_problem(
            person=person,
            role=cleaned.get("role") or "",
            area=cleaned.get("area"),
            department=cleaned.get("department"),
            start_date=start,
            end_date=cleaned.get("end_date"),
            exclude_pk=self.instance.pk,
        )
        if problem:
            _code, field, message = problem
            self.add_error(field if field in self.fields else None, message)
        return cleaned


class ActiveFilter(admin.SimpleListFilter):
    title = gettext_lazy("任职状态")
    parameter_name = "active"

    def lookups(self, request, model_admin):
        return (("yes", _("在任")), ("no", _("已离任或未到任")))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.active()
        if self.value() == "no":
            return queryset.exclude(pk__in=Post.objects.active().values("pk"))
        return queryset


@admin.register(Post)
class PostAdmin(ScopedAdminMixin, LoggedExportMixin, SpreadsheetMixin, admin.ModelAdmin):
    form = PostForm
    resource_classes = [PostResource]
    list_display = ("person", "role", "area", "department", "start_date", "end_date", "is_active_now")
    list_filter = ("role", ActiveFilter, "area__level")
    list_select_related = ("person", "area", "department")
    search_fields = ("person__name", "person__phone", "area__name", "area__code", "title")
    autocomplete_fields = ("person", "area", "department")
    date_hierarchy = "start_date"
    actions = ("end_today",)

    @admin.display(description=gettext_lazy("在任"), boolean=True)
    def is_active_now(self, post: Post) -> bool:
        return post.is_active()

    def scope_queryset(self, request, qs):
        return qs & scope.visible_posts(request.user)

    def may_edit(self, request, obj):
        return request.user.has_perm("people.manage_post", obj)

    def save_model(self, request, obj, form, change):
        if change:
            obj.save()
            return
        created = services.post_create(
            person=obj.person,
            role=obj.role,
            area=obj.area,
            department=obj.department,
            start_date=obj.start_date,
            end_date=obj.end_date,
            title=obj.title,
        )
        adopt_saved(obj, created)

    @admin.action(description=gettext_lazy("今天结束所选岗位的任期"), permissions=["change"])
    def end_today(self, request, queryset):
        today = timezone.localdate()
        ended = 0
        for post in queryset.filter(end_date__isnull=True, start_date__lte=today):
            if self.has_change_permission(request, post):
                services.post_end(post=post, end_date=today)
                ended += 1
        self.message_user(request, _("已结束 %(n)d 个岗位的任期") % {"n": ended})
