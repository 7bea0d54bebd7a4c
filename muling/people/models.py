from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from muling.places.models import Area

from . import crypto
from .roles import Role


class User(AbstractUser):
    """A login. It may belong to a Person; every permission comes from that person's posts."""

    phone = models.CharField(_("手机号"), max_length=20, unique=True, null=True, blank=True)
    person = models.OneToOneField(
        "people.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="user",
        verbose_name=_("人员"),
    )

    class Meta:
        verbose_name = _("账号")
        verbose_name_plural = _("账号")


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class NewEmploymentKind(models.TextChoices):
    COURIER = "courier", _("快递员")
    RIDER = "rider", _("外卖骑手")
    DRIVER = "driver", _("网约车司机")
    OTHER = "other", _("其他新就业形态")


class Person(models.Model):
    """A resident or staff member. The ID-card number is stored encrypted and shown masked."""

    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True, db_index=True)
    id_number_encrypted = models.TextField(_("身份证号（加密）"), blank=True, editable=False)
    id_number_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    household = models.ForeignKey(
        "places.Household",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("住户"),
    )
    # Tags (M14/M27/M28/M29): plain columns so every list can filter on them with an index-free scan
    # of a small subtree, the same way on SQLite and PostgreSQL.
    is_elderly = models.BooleanField(_("老年人"), default=False)
    lives_alone = models.BooleanField(_("独居"), default=False)
    is_disabled = models.BooleanField(_("残疾人"), default=False)
    is_infant = models.BooleanField(_("婴幼儿（0–3岁）"), default=False)
    is_party_member = models.BooleanField(_("党员"), default=False)
    reports_to_community = models.ForeignKey(
        Area,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reporting_party_members",
        verbose_name=_("双报到社区"),
        help_text=_("在职党员回社区报到（双报到）"),
        limit_choices_to={"level": 4},
    )
    new_employment = models.CharField(
        _("新就业群体"), max_length=10, choices=NewEmploymentKind.choices, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        indexes = [models.Index(fields=["name"], name="person_name")]

    def __str__(self) -> str:
        return self.name

    # --- the ID-card number never leaves this class unmasked except through id_number_full() ---
    def set_id_number(self, value: str) -> None:
        value = (value or "").strip().upper()
        self.id_number_encrypted = crypto.encrypt(value)
        self.id_number_hash = crypto.lookup_hash(value)

    def id_number_full(self) -> str:
        return crypto.decrypt(self.id_number_encrypted)

    @property
    def id_number_masked(self) -> str:
        return crypto.mask_id_number(self.id_number_full())

    @property
    def phone_masked(self) -> str:
        return crypto.mask_phone(self.phone)

    @property
    def tag_labels(self) -> list[str]:
        labels = [
            str(self._meta.get_field(f).verbose_name)
            for f in ("is_elderly", "lives_alone", "is_disabled", "is_infant", "is_party_member")
            if getattr(self, f)
        ]
        if self.reports_to_community_id:
            labels.append(str(_("双报到")))
        if self.new_employment:
            labels.append(self.get_new_employment_display())
        return labels


class Department(models.Model):
    """A functional department, a utility or a property company that cases can be sent to."""

    class Kind(models.TextChoices):
        FUNCTIONAL = "functional", _("职能部门")
        UTILITY = "utility", _("公用事业单位")
        PROPERTY = "property", _("物业企业")

    class Utility(models.TextChoices):
        WATER = "water", _("供水")
        POWER = "power", _("供电")
        GAS = "gas", _("供气")
        HEATING = "heating", _("供暖")
        TELECOM = "telecom", _("通信")

    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    utility = models.CharField(_("公用事业类别"), max_length=10, choices=Utility.choices, blank=True)
    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="departments",
        verbose_name=_("服务范围"),
        help_text=_("部门负责的区域（县区或街道）；物业企业为其服务的社区"),
    )
    phone = models.CharField(_("电话"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("部门与单位")
        verbose_name_plural = _("部门与单位")

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.kind == self.Kind.UTILITY and not self.utility:
            raise ValidationError({"utility": _("公用事业单位须注明类别")})
        if self.kind != self.Kind.UTILITY and self.utility:
            raise ValidationError({"utility": _("只有公用事业单位才有类别")})


class PostQuerySet(models.QuerySet):
    def active(self, on=None):
        on = on or timezone.localdate()
        return self.filter(Q(start_date__lte=on), Q(end_date__isnull=True) | Q(end_date__gte=on))


class Post(models.Model):
    """A person holds a role over an area for a period. Posts are the only source of permissions.

    A professional grid worker covering several grids holds one post per grid.
    Created and ended through services.post_create / post_end, which refuse overlaps.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="posts", verbose_name=_("人员"))
    role = models.CharField(_("岗位"), max_length=32, choices=Role.choices, db_index=True)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="posts", verbose_name=_("区域"))
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="posts",
        verbose_name=_("所属部门或单位"),
    )
    start_date = models.DateField(_("任职开始"), default=timezone.localdate)
    end_date = models.DateField(_("任职结束"), null=True, blank=True)
    title = models.CharField(_("职务说明"), max_length=100, blank=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="post_period_ordered",
            )
        ]
        indexes = [models.Index(fields=["area", "role"], name="post_area_role")]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_role_display()} · {self.area}"

    def is_active(self, on=None) -> bool:
        on = on or timezone.localdate()
        return self.start_date <= on and (self.end_date is None or self.end_date >= on)
