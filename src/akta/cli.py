"""The `akta` console command: Django's management commands under the project's settings."""
import os
import sys


def main(argv=None):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "akta.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv[1:] if argv is None else argv)
    execute_from_command_line(["akta", *argv])


if __name__ == "__main__":
    main()
