from django.core.management.base import BaseCommand, CommandError

from muling.privacy import backup


class Command(BaseCommand):
    help = (
        "Write one tar.gz archive with the database (pg_dump custom format, or an SQLite copy), the "
        "uploaded media and a manifest of row counts and SHA-256 checksums."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", "-o", help="archive to write; default var/backups/muling-YYYYmmdd-HHMMSS.tar.gz"
        )

    def handle(self, *args, output=None, **options):
        try:
            archive, manifest = backup.backup(output)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"backup written to {archive}: {len(manifest['tables'])} tables, {rows} rows, "
                f"{len(manifest['media'])} media files"
            )
        )
