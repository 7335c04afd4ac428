"""The `akta` console command: Django's management commands under the project's settings."""
import os
import sys


def main(argv=None):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "akta.settings")
    from django.core.management import execute_from_command_line
    from django.db.utils import OperationalError, ProgrammingError

    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        execute_from_command_line(["akta", *argv])
    except (OperationalError, ProgrammingError) as e:
        text = str(e)
        if "no such table" in text or "does not exist" in text:
            sys.stderr.write("Databasen saknar Aktas tabeller eller är inte uppgraderad: kör först `akta migrate`.\n")
            sys.exit(2)
        raise


if __name__ == "__main__":
    main()
