from django.db import models
from django.utils.translation import gettext_lazy as _

from muling.cases.models import Category
from muling.places.models import Area

from .facts import ALL_COUNTERS


class RollupCounters(models.Model):
    """The counters every rollup row holds (facts.ALL_COUNTERS), one signed column each: a row passes
    through negative values only if events arrive for a case the table has never seen (a partial
    restore); a rebuild puts it right."""

    # db_default too: intake's upsert names only the counters an event changed and the database fills
    # the rest (a short statement parses faster, on both sides of the connection).
    for _name in ALL_COUNTERS:
        locals()[_name] = models.BigIntegerField(default=0, db_default=0)
    del _name

    class Meta:
        abstract = True


class DailyRollup(RollupCounters):
    """Counters of the cases received on one day (Asia/Shanghai) in one area (the case's building or
    grid), of one category, from one channel. Kept in step with the timeline by rollups.on_events, in
    the event's own transaction; `rebuild_rollups` recomputes them from the timeline.

    `area_path` is copied so that "everything under this street" is one indexed prefix scan of this
    table, never of the cases table. Counter columns are listed in facts.ALL_COUNTERS.
    """

    day = models.DateField(_("受理日期"))
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+", verbose_name=_("区域"))
    area_path = models.CharField(max_length=255)
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="+", verbose_name=_("事项分类")
    )
    channel = models.CharField(_("来源渠道"), max_length=16)

    class Meta:
        verbose_name = _("统计日汇总")
        verbose_name_plural = _("统计日汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "area", "category", "channel"], name="stats_rollup_unique_slice"
            )
        ]
        indexes = [
            # varchar_pattern_ops: "area_path LIKE 'prefix%'" can use it whatever the collation.
            models.Index(
                fields=["area_path", "day"],
                opclasses=["varchar_pattern_ops", "date_ops"],
                name="stats_rollup_prefix_day",
            ),
            models.Index(fields=["day"], name="stats_rollup_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.area_path} {self.category_id} {self.channel}"


class SubtreeRollup(RollupCounters):
    """DailyRollup summed over the whole subtree of one city, district, street or community.

    At city scale DailyRollup has about one row per case (a grid gets a case every day or two), so a
    city or street page summing it would read hundreds of thousands of rows. These rows are the same
    counters already summed per area: a month of a street is about a thousand rows, of the city a few
    thousand. Kept in the same statement-pair as DailyRollup (rollups.add); `rebuild_rollups` derives
    them from DailyRollup and `--check` compares both.
    """

    day = models.DateField(_("受理日期"))
    depth = models.PositiveSmallIntegerField(_("层级深度"))  # of the area: 1 city … 4 community
    area_path = models.CharField(max_length=255)  # the area's own path
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="+", verbose_name=_("事项分类")
    )
    channel = models.CharField(_("来源渠道"), max_length=16)

    class Meta:
        verbose_name = _("统计区域汇总")
        verbose_name_plural = _("统计区域汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["area_path", "day", "category", "channel"], name="stats_subtree_unique_slice"
            )
        ]
        indexes = [
            # The children of an area: one depth, under one path prefix, over a range of days.
            models.Index(
                fields=["depth", "area_path", "day"],
                opclasses=["int2_ops", "varchar_pattern_ops", "date_ops"],
                name="stats_subtree_children",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.area_path} {self.category_id} {self.channel}"


class ProactiveTheme(models.Model):
    """每月一题: a hot problem turned into a tracked piece of work with its own owner, deadline and
    result, linking the cases that revealed it (未诉先办 — act before the next complaint)."""

    class State(models.TextChoices):
        OPEN = "open", _("办理中")
        DONE = "done", _("已完成")

    title = models.CharField(_("题目"), max_length=100)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="themes", verbose_name=_("区域"))
    category = models.ForeignKey(
        Category,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("事项分类"),
    )
    owner = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="themes", verbose_name=_("牵头人")
    )
    deadline = models.DateField(_("完成时限"))
    state = models.CharField(_("状态"), max_length=8, choices=State.choices, default=State.OPEN)
    result = models.TextField(_("办理结果"), blank=True)
    cases = models.ManyToManyField("cases.Case", related_name="themes", verbose_name=_("关联诉求"))
    created_by = models.ForeignKey(
        "people.User", on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("发起人")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    closed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("每月一题")
        verbose_name_plural = _("每月一题")
        ordering = ["state", "deadline", "-id"]

    def __str__(self) -> str:
        return self.title
