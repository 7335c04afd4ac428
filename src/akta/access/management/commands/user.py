"""`akta user NAME [--role ROLE] [--unit CODE …] [--protected yes|no] [--active yes|no]`.

The administrator's way to create an Akta user or change one's rights. Rights live in Akta only:
a user who signs in through the municipality's identity provider (OpenID Connect) is matched to
the Akta user of the same name and gets exactly the role, units and right to protected persons
set here; nothing is taken from the provider, and no user is created at sign-in. A new user has
no local password (sign-in through the provider only); `akta changepassword NAME` gives one,
for a break-glass account.
"""
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from akta.access.models import Role, Unit, User

YES_NO = {"yes": True, "ja": True, "no": False, "nej": False}


class Command(BaseCommand):
    help = "Skapa en användare i Akta eller ändra roll, enheter och behörigheter."

    def add_arguments(self, parser):
        parser.add_argument("username", help="användarnamn; för inloggning via kommunens inloggning lika med IdP:ns anspråk")
        parser.add_argument("--role", choices=[r.value for r in Role], help="roll (krävs för en ny användare)")
        parser.add_argument("--unit", action="append", dest="units", metavar="CODE",
                            help="enhetens kod; kan upprepas; ersätter användarens enheter")
        parser.add_argument("--protected", choices=sorted(YES_NO), help="behörighet till skyddade personuppgifter")
        parser.add_argument("--active", choices=sorted(YES_NO), help="nej spärrar användaren")

    def handle(self, *args, username, role=None, units=None, protected=None, active=None, **options):
        username = username.strip()
        if not username or len(username) > 150:
            raise CommandError("användarnamn: 1–150 tecken")
        with transaction.atomic():
            user = User.objects.select_for_update().filter(username=username).first()
            if user is None:
                if role is None:
                    raise CommandError(f"--role: krävs för den nya användaren {username!r}")
                user = User(username=username)
                user.set_unusable_password()
            if role is not None:
                user.role = role
            if protected is not None:
                user.may_view_protected = YES_NO[protected]
            if active is not None:
                user.is_active = YES_NO[active]
            found = None
            if units is not None:
                found = list(Unit.objects.filter(code__in=units))
                missing = sorted(set(units) - {u.code for u in found})
                if missing:
                    raise CommandError(f"--unit: det finns ingen enhet med koden {', '.join(map(repr, missing))}")
            user.save()
            if found is not None:
                user.units.set(found)
        unit_codes = ", ".join(user.units.order_by("code").values_list("code", flat=True)) or "–"
        self.stdout.write(f"{user.username}: roll {user.role}, enheter {unit_codes}, "
                          f"skyddade personuppgifter {'ja' if user.may_view_protected else 'nej'}, "
                          f"{'aktiv' if user.is_active else 'spärrad'}, "
                          f"{'lokalt lösenord' if user.has_usable_password() else 'inget lokalt lösenord'}")
