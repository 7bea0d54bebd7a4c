"""python manage.py import_excel areas|households|persons|posts FILE

Imports the whole file or nothing; prints every bad line with its reason and exits non-zero if any.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from muling.places.importing import RESOURCES, import_table


class Command(BaseCommand):
    help = gettext_lazy("导入 Excel（.xlsx）或 CSV：区域、住户、人员或岗位；有任何一行出错则全部不导入")

    def add_arguments(self, parser):
        parser.add_argument("resource", choices=sorted(RESOURCES))
        parser.add_argument("file", type=Path)

    def handle(self, *args, resource, file, **options):
        if not file.is_file():
            raise CommandError(_("找不到文件：%(path)s") % {"path": file})
        with file.open("rb") as f:
            report = import_table(resource_name=resource, file_obj=f, file_name=file.name)
        if report.ignored_columns:
            self.stderr.write(_("已忽略未知列：%(columns)s") % {"columns": "、".join(report.ignored_columns)})
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(str(problem))
            raise CommandError(report.summary())
        self.stdout.write(self.style.SUCCESS(report.summary()))
