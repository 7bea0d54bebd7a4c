from django.core.management.base import BaseCommand
from django.db import DatabaseError
from django.utils.translation import gettext as _

from muling.places.demo.logins import logins_table


class Command(BaseCommand):
    @property
    def help(self) -> str:
        # A property so argparse gets a plain string in the active language.
        return _("列出演示账号（用户名、密码、角色、能看到什么），不加载任何数据。")

    def handle(self, *args, **options):
        from muling.places.demo.loader import demo_exists

        try:
            loaded = demo_exists()
        except DatabaseError:  # not migrated yet: the table is still worth printing
            loaded = False
        self.stdout.write(_("演示账号："))
        self.stdout.write(logins_table())
        self.stdout.write("")
        from django.conf import settings

        from muling.api.demo import api_lines

        for line in api_lines(settings.PUBLIC_BASE_URL):
            self.stdout.write(line)
        if not loaded:
            self.stdout.write(
                self.style.WARNING(_("演示数据尚未加载：运行 manage.py load_demo 后才能用这些账号登录。"))
            )
