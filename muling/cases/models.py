from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from muling.people.models import Department, Person
from muling.places.models import Area, Household

from .enums import OPEN_STATUSES, Channel, EventKind, HandlerKind, Level, Satisfaction, Status


class Category(models.Model):
    """A kind of problem (事项) with its time limits, default handler and admission (事项准入)."""

    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    dispatch_hours = models.PositiveIntegerField(_("派遣时限（小时）"), default=24)
    resolve_days = models.PositiveIntegerField(_("办理时限（天）"), default=7)
    working_days = models.BooleanField(_("按工作日计算"), default=True)
    handler_kind = models.CharField(
        _("默认承办"), max_length=12, choices=HandlerKind.choices, default=HandlerKind.GRID
    )
    utility = models.CharField(
        _("公用事业类别"),
        max_length=10,
        choices=Department.Utility.choices,
        blank=True,
        help_text=_("由公用事业单位承办时，按此类别找单位"),
    )
    grid_admitted = models.BooleanField(_("准入网格"), default=True, help_text=_("事项准入：可交网格员办理"))
    # Extra questions for reporters (Open311 attributes): [{"code", "label", "datatype", "required", "values"}]
    extra_questions = models.JSONField(_("补充问题"), default=list, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=100)

    class Meta:
        verbose_name = _("事项分类")
        verbose_name_plural = _("事项分类")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class RoutingRule(models.Model):
    """Send a category in an area's subtree to a department. The most specific area wins."""

    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="routing_rules", verbose_name=_("事项分类")
    )
    area = models.ForeignKey(
        Area, on_delete=models.CASCADE, related_name="routing_rules", verbose_name=_("区域")
    )
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="routing_rules", verbose_name=_("承办部门")
    )

    class Meta:
        verbose_name = _("分拨规则")
        verbose_name_plural = _("分拨规则")
        constraints = [models.UniqueConstraint(fields=["category", "area"], name="routing_rule_unique")]

    def __str__(self) -> str:
        return f"{self.category} @ {self.area} → {self.department}"


class CalendarDay(models.Model):
    """An admin's correction of the holiday calendar (the State Council publishes each November)."""

    date = models.DateField(_("日期"), unique=True)
    is_working_day = models.BooleanField(_("工作日"))
    note = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("节假日调整")
        verbose_name_plural = _("节假日调整")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'班' if self.is_working_day else '休'}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        transaction.on_commit(forget_calendar_overrides)
        forget_calendar_overrides()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        transaction.on_commit(forget_calendar_overrides)
        forget_calendar_overrides()
        return result


def forget_calendar_overrides() -> None:
    from .deadlines import forget_overrides

    forget_overrides()


class CaseQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def under(self, paths):
        from muling.people.scope import under_paths_q

        return self.filter(under_paths_q(tuple(paths), "area_path"))


class Case(models.Model):
    """One resident problem moving through the closed loop. Changed only by services.py."""

    number = models.CharField(_("编号"), max_length=40, unique=True)
    text = models.TextField(_("问题描述"))
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="cases", verbose_name=_("事项分类")
    )
    channel = models.CharField(_("来源渠道"), max_length=16, choices=Channel.choices)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    level = models.PositiveSmallIntegerField(_("办理层级"), choices=Level.choices, default=Level.GRID)

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reported_cases",
        verbose_name=_("反映人"),
    )
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    hide_name = models.BooleanField(_("不公开姓名"), default=True)
    is_public = models.BooleanField(_("公开"), default=True)

    # Where: the most precise known area (building or grid), its path for subtree queries, the grid.
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="cases", verbose_name=_("位置"))
    area_path = models.CharField(max_length=255, db_index=True)
    grid = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grid_cases",
        verbose_name=_("网格"),
    )
    household = models.ForeignKey(
        Household, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("住户")
    )
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lon = models.FloatField(_("经度"), null=True, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)

    # Who owns it (首接负责): always a queue area; a person and/or a department when known.
    owner_area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="queued_cases", verbose_name=_("承办区域")
    )
    owner_person = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_cases",
        verbose_name=_("承办人"),
    )
    owner_department = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_cases",
        verbose_name=_("承办部门"),
    )

    created_at = models.DateTimeField(_("提交时间"), db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    dispatch_deadline = models.DateTimeField(_("派遣时限"))
    deadline = models.DateTimeField(_("办理时限"))
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    result = models.TextField(_("办理结果"), blank=True)
    reject_reason = models.CharField(_("不予受理理由"), max_length=200, blank=True)

    satisfaction = models.CharField(_("满意度"), max_length=12, choices=Satisfaction.choices, blank=True)
    rating_comment = models.CharField(_("评价意见"), max_length=500, blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("重复于"),
    )

    urge_count = models.PositiveIntegerField(_("催办次数"), default=0)
    escalation_count = models.PositiveIntegerField(_("升级次数"), default=0)
    reopen_count = models.PositiveIntegerField(_("返工次数"), default=0)
    me_too_count = models.PositiveIntegerField(_("附议人数"), default=0)
    extended = models.BooleanField(_("已延期"), default=False)

    answers = models.JSONField(_("补充信息"), default=dict, blank=True)
    external_id = models.CharField(_("外部编号"), max_length=64, blank=True)
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, unique=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("诉求")
        verbose_name_plural = _("诉求")
        indexes = [
            # The sweep: open cases by deadline.
            models.Index(
                fields=["deadline"], name="case_open_deadline", condition=Q(status__in=OPEN_STATUSES)
            ),
            models.Index(fields=["owner_person", "status", "deadline"], name="case_owner_queue"),
            # Supervision boards and "overdue under this street": open cases are a small slice of
            # the table, and a pattern-ops index serves "area_path LIKE 'prefix%'" in any collation.
            models.Index(
                fields=["area_path", "deadline"],
                opclasses=["varchar_pattern_ops", "timestamptz_ops"],
                condition=Q(status__in=OPEN_STATUSES),
                name="case_open_area_deadline",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"],
                condition=~Q(external_id=""),
                name="case_external_id_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.category}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, *, now) -> bool:
        return self.is_open and self.deadline < now

    @property
    def short_text(self) -> str:
        return self.text if len(self.text) <= 40 else self.text[:40] + "…"


class CaseEvent(models.Model):
    """Append-only timeline. The truth from which statuses, statistics and audits are rebuilt."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("类型"), max_length=24, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("操作人")
    )
    at = models.DateTimeField(_("时间"), db_index=True)
    from_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    owner_area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    owner_person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    owner_department = models.ForeignKey(
        Department, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"], name="event_case_at")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


def photo_path(instance, filename):
    return f"cases/{instance.case_id}/{filename}"


class CasePhoto(models.Model):
    class Kind(models.TextChoices):
        REPORT = "report", _("上报照片")
        RESULT = "result", _("办结照片")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="photos")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    image = models.ImageField(upload_to=photo_path)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.image.name


class Summons(models.Model):
    """吹哨报到: a department or utility summoned to a case, which must answer within its limit."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="summonses")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="summonses", verbose_name=_("报到单位")
    )
    summoned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    summoned_at = models.DateTimeField()
    deadline = models.DateTimeField(_("答复时限"))
    note = models.TextField(_("吹哨说明"), blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answer = models.TextField(_("答复"), blank=True)

    class Meta:
        verbose_name = _("吹哨报到")
        verbose_name_plural = _("吹哨报到")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "department"],
                condition=Q(answered_at__isnull=True),
                name="one_open_summons_per_department",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.department_id}"

    @property
    def answered_on_time(self) -> bool | None:
        if self.answered_at is None:
            return None
        return self.answered_at <= self.deadline


class ExtensionRequest(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已同意")
        REFUSED = "refused", _("已驳回")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extension_requests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField()
    days = models.PositiveSmallIntegerField(_("延期天数"))
    reason = models.CharField(_("理由"), max_length=300)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(state="pending"), name="one_pending_extension"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} +{self.days}d {self.state}"


class MeToo(models.Model):
    """附议: another resident has the same problem and follows this case instead of reporting again."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="me_toos")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="me_toos")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="me_too_once")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.case_id}"


class Notification(models.Model):
    """In-app inbox entry; email and SMS copies are sent by notify.py after commit."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    kind = models.CharField(max_length=24, choices=EventKind.choices)
    message = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.message
