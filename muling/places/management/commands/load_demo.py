import io

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from muling.errors import DomainError
from muling.places.demo.logins import logins_table
from muling.places.demo.plan import DEFAULT_SEED


class Command(BaseCommand):
    @property
    def help(self) -> str:
        # A property so argparse gets a plain string in the active language.
        return _(
            "加载济宁演示数据：济宁市（370800）下的梁山县（370832）、济宁高新区（370871）、太白湖新区（370872），"
            "含街道、社区、网格（带边界）、楼栋、住户、居民、党组织、部门与“1+1+N”岗位，以及每个角色一个演示账号"
            "（共用密码 muling2026）。高新区和太白湖新区没有国家行政区划代码，这里用济宁统计上使用的 370871、"
            "370872。数据由固定种子生成，同一年内每次相同（年龄和任期按当年 1 月 1 日计算）。幂等：若已存在编码 370800 的区域，则不做任何改动"
            "（用 --rebuild 删除演示数据后重建）。"
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help=_(
                "规模倍数：放大每栋楼的住户数和每个社区的网格数（默认 1，如 4 更大）；小于 1 时每个网格的楼栋也减少（至少 2 栋）"
            ),
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=_("随机种子（默认 370800）"))
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help=_("先删除已有的演示数据（济宁市及其下全部内容），再重新加载"),
        )

    def handle(self, *args, scale: float, seed: int, rebuild: bool, verbosity: int, **options):
        from muling.places.demo.loader import count_labels, load_demo

        if scale <= 0:
            raise CommandError(_("规模倍数须大于 0"))

        def progress(total: int):
            return tqdm(total=total, desc=_("加载演示数据"), unit=_("条"), disable=verbosity < 1)

        try:
            result = load_demo(seed=seed, scale=scale, rebuild=rebuild, progress=progress)
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        cases = self.load_cases(seed=seed, verbosity=verbosity)
        from muling.api.demo import ensure_demo_client_key

        ensure_demo_client_key()
        if cases:
            # The demo moves finished cases back in time for history; recount the statistics from it.
            call_command("rebuild_rollups", stdout=io.StringIO())
        if verbosity < 1:
            return
        if cases:
            self.stdout.write(
                _("已生成演示诉求 %(n)d 件（含超期待升级的诉求，后台巡检会自动升级）。") % {"n": cases}
            )
        if result.loaded:
            self.stdout.write(self.style.SUCCESS(_("演示数据已加载。")))
        else:
            self.stdout.write(_("演示数据已存在（济宁市 370800），未做改动；如需重建请加 --rebuild。"))
        for warning in result.warnings:
            self.stdout.write(self.style.WARNING(warning))
        labels = count_labels()
        self.stdout.write("，".join(f"{labels[key]} {value}" for key, value in result.counts.items()))
        self.stdout.write("")
        self.stdout.write(logins_table())

    @staticmethod
    def load_cases(*, seed: int, verbosity: int) -> int:
        """Cases in every state, so the closed loop can be seen working (idempotent, see cases/demo.py)."""
        import logging

        from muling.cases.demo import load_demo_cases

        bar = tqdm(total=160, desc=_("生成演示诉求"), unit=_("件"), disable=verbosity < 1)
        notify_log = logging.getLogger("muling.notify")
        level = notify_log.level
        notify_log.setLevel(logging.WARNING)  # the console SMS of 160 demo cases would bury the logins
        try:
            return load_demo_cases(seed=seed, count=160, progress=bar)
        finally:
            notify_log.setLevel(level)
            bar.close()
