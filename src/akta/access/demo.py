"""Demo users for the demo municipality (printed by `make run`)."""
from akta.access.models import Role, Unit, User

DEMO_PASSWORD = "akta-demo-2026"

# username, role, first name, last name, unit codes (or "*" for all), may_view_protected
DEMO_USERS = [
    ("anna", Role.HANDLAGGARE, "Anna", "Handläggare", ["barn_och_unga"], False),
    ("bertil", Role.HANDLAGGARE, "Bertil", "Handläggare", ["ekonomiskt_bistand"], False),
    ("cecilia", Role.ENHETSCHEF, "Cecilia", "Enhetschef", "*", True),
    ("david", Role.KVALITETSUTVECKLARE, "David", "Kvalitetsutvecklare", [], False),
    ("eva", Role.SYSTEMFORVALTARE, "Eva", "Systemförvaltare", [], False),
    ("fredrik", Role.REGISTRATOR, "Fredrik", "Registrator", [], False),
    ("gun", Role.NAMNDSEKRETERARE, "Gun", "Nämndsekreterare", [], False),
]


def create_demo_users():
    users = []
    for username, role, first, last, units, protected in DEMO_USERS:
        user, _ = User.objects.get_or_create(username=username, defaults={"role": role})
        user.role, user.first_name, user.last_name, user.may_view_protected = role, first, last, protected
        user.set_password(DEMO_PASSWORD)
        user.save()
        qs = Unit.objects.all() if units == "*" else Unit.objects.filter(code__in=units) | Unit.objects.filter(area__in=units)
        user.units.set(qs.distinct())
        users.append(user)
    return users
