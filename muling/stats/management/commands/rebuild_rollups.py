from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_date

from muling.cases.models import Case
from muling.stats import rollups


class Command(BaseCommand):
    help = "Recompute the statistics rollups (stats.DailyRollup, stats.SubtreeRollup) from the case timeline."

    def add_arguments(self, parser):
        parser.add_argument("--since", help="first cohort day to rebuild (YYYY-MM-DD); default: all")
        parser.add_argument("--until", help="last cohort day to rebuild (YYYY-MM-DD); default: all")
        parser.add_argument(
            "--check",
            action="store_true",
            help="only compare the table with the timeline; exit 1 if they differ",
        )

    def handle(self, *args, since=None, until=None, check=False, **options):
        days = {}
        for name, value in (("since", since), ("until", until)):
            if value:
                days[name] = parse_date(value)
                if days[name] is None:
                    raise CommandError(f"--{name}: expected YYYY-MM-DD, got {value!r}")
        if check:
            if days:
                raise CommandError("--check compares the whole table; leave out --since/--until")
            expected = rollups.rows_from_cases(Case.objects.all())
            actual = rollups.rows_in_table()
            wrong = {k for k in expected.keys() | actual.keys() if expected.get(k) != actual.get(k)}
            if wrong:
                raise CommandError(f"{len(wrong)} rollup rows differ from the timeline; run rebuild_rollups")
            subtree_wrong = rollups.subtree_mismatches()
            if subtree_wrong:
                raise CommandError(
                    f"{subtree_wrong} area rollup rows differ from the daily rollups; run rebuild_rollups"
                )
            self.stdout.write(f"rollups match the timeline ({len(expected)} rows)")
            return
        count = rollups.rebuild(**days)
        self.stdout.write(self.style.SUCCESS(f"rebuilt {count} rollup rows from the timeline"))
