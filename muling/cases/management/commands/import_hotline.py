from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from muling.cases.hotline import hotline_import


class Command(BaseCommand):
    help = (
        "Import a 12345 hotline export (.xlsx or .csv): good rows become routed cases, bad rows are reported."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", help=".xlsx or .csv with 工单编号, 来电时间, 来电号码, 诉求内容, 事发地址, 诉求分类"
        )

    def handle(self, *args, file: str, verbosity: int, **options):
        try:
            handle = open(file, "rb")  # noqa: SIM115 — closed below
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        with handle:
            report = hotline_import(
                file_obj=handle,
                file_name=file,
                progress=lambda total: tqdm(total=total, desc=_("导入热线工单"), disable=verbosity < 1),
            )
        self.stdout.write(report.summary())
        for line, reason in report.rejected:
            where = _("第 %(line)d 行") % {"line": line} if line else _("文件")
            self.stdout.write(f"  {where}：{reason}")
        if report.rejected:
            raise CommandError(_("有 %(n)d 行未导入") % {"n": len(report.rejected)})
