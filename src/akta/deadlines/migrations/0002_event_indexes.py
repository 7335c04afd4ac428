"""Moved: the indexes this migration created on cases_event are owned by the cases component
(akta.cases.event_indexes, migration cases 0004_event_indexes). Kept, without operations, so
that databases where it ran keep a consistent migration history."""
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("deadlines", "0001_initial"),
        ("cases", "0002_case_caseworker"),
    ]

    operations = []
