"""Shared by `akta norm` and `akta assistance`: reading a JSON file, turning errors into
Swedish command errors (non-zero exit), writing JSON."""
import json
from pathlib import Path

import orjson
from django.core.management.base import CommandError

from akta.assistance.errors import InputError
from akta.law.services import NormYearMissing


def read_json(path: str, option: str):
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CommandError(f"{option}: filen {path} finns inte") from None
    except (OSError, UnicodeDecodeError) as e:
        raise CommandError(f"{option}: filen {path} kan inte läsas: {e}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise CommandError(f"{path}:{e.lineno}: ogiltig JSON: {e.msg}") from None


def norm_missing(e: NormYearMissing) -> CommandError:
    known = ", ".join(map(str, e.known)) or "inga"
    return CommandError(
        f"Det finns ingen riksnorm för år {e.year} i Aktas lagdata (år med riksnorm: {known}). "
        "Ett nytt år läggs in i src/akta/law/data/riksnorm.toml med regeringens beslut; "
        "Akta räknar aldrig med ett annat års norm."
    )


def input_error(path: str, e: InputError) -> CommandError:
    return CommandError(f"{path}: ogiltiga uppgifter:\n" + "\n".join(f"  {f}: {m}" for f, m in e.errors))


def dumps(data) -> str:
    return orjson.dumps(data).decode()
