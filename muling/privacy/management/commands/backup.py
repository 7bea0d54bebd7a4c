from django.core.management.base import BaseCommand, CommandError

from muling.privacy import backup


class Command(BaseCommand):
    help = (
        "Write one tar.gz archive with the database (pg_dump custom format, or an SQLite copy), the "
        "uploaded media and a manifest of row counts and SHA-256 checksums. With MULING_BACKUP_KEY set "
        "(a Fernet key) the archive is encrypted."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            "-o",
            help="archive to write; default var/backups/muling-YYYYmmdd-HHMMSS.tar.gz (.tar.gz.enc if encrypted)",
        )
        parser.add_argument(
            "--generate-key",
            action="store_true",
            help=f"print a new key for {backup.KEY_ENV} and exit (keep it apart from the backups)",
        )

    def handle(self, *args, output=None, generate_key=False, **options):
        if generate_key:
            self.stdout.write(backup.generate_key())
            return
        key = backup.key_from_env()
        try:
            archive, manifest = backup.backup(output, key=key)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["tables"].values())
        how = "encrypted backup" if key else f"backup (not encrypted: {backup.KEY_ENV} is not set)"
        self.stdout.write(
            self.style.SUCCESS(
                f"{how} written to {archive}: {len(manifest['tables'])} tables, {rows} rows, "
                f"{len(manifest['media'])} media files"
            )
        )
