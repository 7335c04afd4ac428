"""Every row of every model of every app, ordered by primary key, as JSON-able lists: what a
restore drill compares between the source and the restored database. Run as a module
(`python -m akta.ops.tests.rows`) it prints them for the database in DATABASE_URL."""
import json
import os
import sys


def all_rows():
    from django.apps import apps

    out = {}
    for model in sorted(apps.get_models(include_auto_created=True), key=lambda m: m._meta.label):
        if not model._meta.managed and not model._meta.auto_created:
            continue
        names = [f.attname for f in model._meta.concrete_fields]
        rows = model._base_manager.order_by("pk").values_list(*names)
        out[model._meta.label] = json.loads(json.dumps([list(r) for r in rows], default=str, sort_keys=True))
    return out


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "akta.settings")
    import django

    django.setup()
    json.dump(all_rows(), sys.stdout, sort_keys=True)
