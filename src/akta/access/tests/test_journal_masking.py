"""A journal note's text is personal data and follows the masking of its person (contract-v2 §1:
"the text is personal data and follows every masking rule"): a user who may not see a
protected person's identity sees neither the text on the personakt, nor in the API, nor in an
export made with that user's rights (access.services.visible_text)."""
import datetime as dt
import json

from django.test import Client
from django.urls import reverse

from akta.access.services import HIDDEN_TEXT
from akta.cases.models import Case, Event
from akta.exchange.exporter import export_exchange

SECRET = "Mamma bor nu hos mormor på Storgatan 5"


def _note(case_ext):
    case = Case.objects.get(ext_id=case_ext)
    Event.objects.create(ext_id=f"J-{case_ext}", case=case, type="journalanteckning", date=dt.date(2024, 9, 2),
                         recorded_at=dt.datetime(2024, 9, 2, 10, tzinfo=dt.timezone.utc), text=SECRET, author="anna")
    return case


def test_a_protected_persons_note_is_hidden_in_every_channel(bou_user, chief, tmp_path):
    _note("C4")  # P4 in C4 has protected identity
    _note("C1")  # an ordinary person
    without, with_right = Client(), Client()
    without.force_login(bou_user)
    with_right.force_login(chief)

    page = without.get(reverse("cases:detail", args=["C4"])).content.decode()
    assert SECRET not in page and HIDDEN_TEXT in page
    assert SECRET in without.get(reverse("cases:detail", args=["C1"])).content.decode()
    assert SECRET in with_right.get(reverse("cases:detail", args=["C4"])).content.decode()

    api = {e["id"]: e for e in without.get("/api/cases/C4/events/").json()}
    assert api["J-C4"]["text"] == HIDDEN_TEXT
    assert {e["id"]: e for e in with_right.get("/api/cases/C4/events/").json()}["J-C4"]["text"] == SECRET

    export_exchange(tmp_path / "unit", user=bou_user)
    events = {json.loads(line)["id"]: json.loads(line) for line in (tmp_path / "unit" / "events.jsonl").read_text().splitlines()}
    assert events["J-C4"]["text"] == HIDDEN_TEXT and events["J-C1"]["text"] == SECRET
    export_exchange(tmp_path / "all")  # the whole register, with system rights
    assert SECRET in (tmp_path / "all" / "events.jsonl").read_text().split("J-C4")[1].split("\n")[0]
