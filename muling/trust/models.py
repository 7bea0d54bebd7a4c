from django.db import models
from django.utils.translation import gettext_lazy as _


class FlagReason(models.TextChoices):
    # Beijing 接诉即办 regulation art. 9: repeated malicious or baseless demands may be noted; the case
    # itself is still accepted and handled, a person decides what the flag means.
    REPEATED_TEXT = "repeated_text", _("同一人当日重复提交相似内容")


class SubmissionFlag(models.Model):
    """A mark on a case that a supervisor should look at; the case is never refused for it."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="trust_flags")
    reason = models.CharField(_("原因"), max_length=30, choices=FlagReason.choices)
    detail = models.CharField(_("说明"), max_length=200, blank=True, default="")
    created_at = models.DateTimeField(_("标记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("可疑提交标记")
        verbose_name_plural = _("可疑提交标记")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["case", "reason"], name="trust_flag_once_per_reason")]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.get_reason_display()}"
