from django.db import models


class CeilingRow(models.Model):
    """One row per ceiling request. Nothing reads it; the table only exists to be written to."""

    created_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=40, blank=True)

    def __str__(self) -> str:
        return f"ceiling row {self.pk}"
