from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from muling.privacy import backup


class Command(BaseCommand):
    help = (
        "Replace the database and the uploaded media with those of an archive written by `backup`. "
        "The archive's checksums are verified first; a damaged archive is refused before anything changes. "
        "An encrypted archive needs MULING_BACKUP_KEY, the key it was written with."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="a tar.gz (or encrypted .tar.gz.enc) written by manage.py backup")
        parser.add_argument(
            "--yes", action="store_true", help="do not ask for confirmation (the current data is replaced)"
        )

    def handle(self, *args, archive, yes=False, **options):
        if not Path(archive).is_file():
            raise CommandError(f"no such archive: {archive}")
        key = backup.key_from_env()
        if backup.is_encrypted(Path(archive)) and not key:
            # Said before the confirmation prompt: there is nothing to confirm without the key.
            raise CommandError(
                f"{archive} is encrypted: set {backup.KEY_ENV} to the key it was written with "
                "(nothing was changed)"
            )
        if not yes and options.get("interactive", True):
            answer = input(f"This replaces the database and media with {archive}. Type 'yes' to continue: ")
            if answer.strip().lower() != "yes":
                raise CommandError("restore cancelled")
        try:
            result = backup.restore(archive, key=key)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"restored {archive}: {result.tables} tables, {result.rows} rows, {result.media_files} media "
                "files; row counts match the manifest"
            )
        )
