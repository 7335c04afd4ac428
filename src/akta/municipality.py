"""The municipality this installation serves, from one setting: ``AKTA_MUNICIPALITY_CODE`` (the
four-digit kommunkod) and ``AKTA_MUNICIPALITY_NAME`` (environment variables of the same names).
Pages, documents and reports read the name here; the importer refuses an exchange of another
municipality when the code is set."""
from django.conf import settings


def name(default=""):
    return settings.AKTA_MUNICIPALITY_NAME or default


def code():
    return settings.AKTA_MUNICIPALITY_CODE



def for_exchange(fallback=None):
    """``{"code", "name"}`` for an exchange manifest: the setting; on an installation without it
    (development, tests), ``fallback`` (the exchange passes the imported data's), else 0000 Okänd."""
    if code():
        return {"code": code(), "name": name(code())}
    return fallback or {"code": "0000", "name": "Okänd"}
