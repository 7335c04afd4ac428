"""The synthetic municipality generator: determinism, coverage, validity and realism."""
import io
import json
import re
from calendar import monthrange
from collections import Counter, defaultdict
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from personnummer import personnummer as pnr_lib

from akta.synth.generator import AREAS, EVENT_TYPES, PROFILES, generate, units_for

FILES = ("manifest.json", "persons.jsonl", "cases.jsonl", "events.jsonl")
END = date(2026, 10, 31)
SPEC_INTERVENTIONS = {
    "kontaktperson", "kontaktfamilj", "familjehem", "jourhem", "natverkshem", "hvb", "stodboende",
    "skyddat_boende", "oppenvard_intern", "oppenvard_extern", "forsorjningsstod", "sarskilt_boende",
    "daglig_verksamhet", "boende_lss", "stodboende_ifo",
}
LEGAL_BASIS = re.compile(r"^(SoL 4:1|SoL 4:2|LSS 9 § ([1-9]|10)|LVU 2 §|LVU 3 §|LVM 4 §|FB)$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
REFS = {"aktualisering_id": "aktualisering", "utredning_id": "utredning_inledd", "beslut_id": "beslut"}
REQUIRED = {
    "aktualisering": {"kind"}, "skyddsbedomning": {"aktualisering_id"},
    "forhandsbedomning": {"aktualisering_id", "outcome"}, "utredning_inledd": set(),
    "utredning_forlangd": {"utredning_id", "until", "reason"}, "utredning_avslutad": {"utredning_id", "outcome"},
    "beslut": {"legal_basis", "intervention", "outcome"}, "erbjudande": {"beslut_id", "accepted"},
    "verkstalld": {"beslut_id"}, "avbrott": {"beslut_id"}, "aterupptagen": {"beslut_id"},
    "insats_avslutad": {"beslut_id", "reason"}, "overvagande": {"beslut_id"}, "arende_avslutat": set(),
    "avflyttad": set(),
}
ENUMS = {
    "aktualisering": ("kind", {"anmalan", "ansokan", "annan_vag", "begaran_om_yttrande"}),
    "forhandsbedomning": ("outcome", {"inleda_utredning", "inte_inleda_utredning"}),
    "utredning_avslutad": ("outcome", {"insats", "ingen_insats", "overford"}),
    "beslut": ("outcome", {"bifall", "delvis_bifall", "avslag"}),
}


def add_months(d, n):
    y, m = divmod(d.month - 1 + n, 12)
    y += d.year
    m += 1
    return date(y, m, min(d.day, monthrange(y, m)[1]))


def load(path):
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))

    def lines(name):
        return [json.loads(line) for line in (path / name).read_text(encoding="utf-8").splitlines() if line]

    return manifest, lines("persons.jsonl"), lines("cases.jsonl"), lines("events.jsonl")


def check_exchange(path, end=END, data=None):
    """A test-local validity checker for the rules the importer enforces (brief §6). Returns errors."""
    manifest, persons, cases, events = data or load(path)
    errors = []
    err = errors.append
    if manifest.get("format") != "akta-exchange/1" or not re.fullmatch(r"\d{4}", manifest["municipality"]["code"]):
        err("manifest")
    unit_area = {u["code"]: u["area"] for u in manifest["units"]}

    P = {}
    for p in persons:
        if p["id"] in P or not p["id"].startswith("P"):
            err(f"person id {p['id']}")
        P[p["id"]] = p
        if p["sex"] not in ("kvinna", "man", "okänt"):
            err(f"sex {p}")
        if not isinstance(p.get("protected_identity", False), bool) or not isinstance(p["name"], str):
            err(f"person fields {p}")
        if p["personnummer"] is None:
            if not DATE.match(p.get("birth_date") or ""):
                err(f"birth_date {p}")
    C = {}
    for c in cases:
        if c["id"] in C or not c["id"].startswith("C"):
            err(f"case id {c['id']}")
        C[c["id"]] = c
        if c["person_id"] not in P:
            err(f"case person {c}")
        if c["area"] not in AREAS or unit_area.get(c["unit"]) != c["area"] or not DATE.match(c["opened"]):
            err(f"case fields {c}")
    E = {}
    by_case = defaultdict(list)
    for line, e in enumerate(events):
        if e["id"] in E or not e["id"].startswith("E"):
            err(f"event id {e['id']}")
        E[e["id"]] = e
        e["_line"] = line
        if e["type"] not in EVENT_TYPES:
            err(f"type {e}")
            continue
        if e["case_id"] not in C:
            err(f"event case {e}")
            continue
        by_case[e["case_id"]].append(e)
        if not DATE.match(e["date"]) or not (C[e["case_id"]]["opened"] <= e["date"] <= end.isoformat()):
            err(f"event date outside case/end {e}")
        missing = REQUIRED[e["type"]] - set(e)
        if missing:
            err(f"missing {missing} in {e}")
        if e["type"] in ENUMS:
            f, allowed = ENUMS[e["type"]]
            if e[f] not in allowed:
                err(f"enum {f} {e}")
        if e["type"] == "beslut":
            if not LEGAL_BASIS.match(e["legal_basis"]) or e["intervention"] not in SPEC_INTERVENTIONS:
                err(f"beslut codes {e}")
            if "amount_sek" in e:
                a = e["amount_sek"]
                if e["intervention"] != "forsorjningsstod" or not isinstance(a, int) or isinstance(a, bool) or a < 0:
                    err(f"amount {e}")
        if e["type"] == "erbjudande" and not isinstance(e["accepted"], bool):
            err(f"accepted {e}")
        if e["type"] == "utredning_forlangd" and not e["until"] > e["date"]:
            err(f"until {e}")
        if e["type"] == "aktualisering" and not isinstance(e.get("reasons", []), list):
            err(f"reasons {e}")
    # references: exist, right type, same case, not later
    for e in E.values():
        for f in e.keys() & REFS.keys():
            r = E.get(e[f])
            if r is None or r["type"] != REFS[f] or r["case_id"] != e["case_id"] or r["date"] > e["date"]:
                err(f"reference {f} in {e['id']} -> {r and r['id']}")
    # sequences per decision and investigation, closing of cases
    on_beslut = defaultdict(list)
    closings = Counter()
    for e in E.values():
        if "beslut_id" in e:
            on_beslut[e["beslut_id"]].append(e)
        if e["type"] == "utredning_avslutad":
            closings[e["utredning_id"]] += 1
    if any(n > 1 for n in closings.values()):
        err("investigation closed twice")
    for bid, evs in on_beslut.items():
        evs.sort(key=lambda e: (e["date"], e["_line"]))
        if E[bid]["outcome"] == "avslag":
            err(f"follow-up on avslag {bid}: {[e['type'] for e in evs]}")
        if sum(e["type"] == "verkstalld" for e in evs) > 1:
            err(f"implemented twice {bid}")
        interrupted = False
        for e in evs:
            if e["type"] == "avbrott":
                if interrupted:
                    err(f"double avbrott {bid}")
                interrupted = True
            elif e["type"] == "aterupptagen":
                if not interrupted:
                    err(f"aterupptagen without avbrott {bid}")
                interrupted = False
    for cid, evs in by_case.items():
        evs.sort(key=lambda e: (e["date"], e["_line"]))
        closes = [i for i, e in enumerate(evs) if e["type"] == "arende_avslutat"]
        if len(closes) > 1 or (closes and closes[0] != len(evs) - 1):
            err(f"events after arende_avslutat in {cid}")
    return errors


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    out = tmp_path_factory.mktemp("small1")
    counts = generate("small", 1, out)
    return out, counts, load(out)


@pytest.fixture(scope="module")
def medium(tmp_path_factory):
    out = tmp_path_factory.mktemp("medium4")
    counts = generate("medium", 4, out)
    return out, counts, load(out)


def test_deterministic_per_seed(small, tmp_path):
    first = small[0]
    generate("small", 1, tmp_path / "again")
    generate("small", 2, tmp_path / "other")
    for name in FILES:
        assert (first / name).read_bytes() == (tmp_path / "again" / name).read_bytes(), name
    assert (first / "events.jsonl").read_bytes() != (tmp_path / "other" / "events.jsonl").read_bytes()
    assert (first / "persons.jsonl").read_bytes() != (tmp_path / "other" / "persons.jsonl").read_bytes()


@pytest.mark.parametrize("seed", [1, 2, 3, 17])
def test_small_covers_every_area_type_and_code(seed, small, tmp_path):
    path = small[0] if seed == 1 else tmp_path
    if seed != 1:
        generate("small", seed, path)
    manifest, persons, cases, events = small[2] if seed == 1 else load(path)
    assert manifest["municipality"] == {"code": "2506", "name": "Arjeplog"}
    assert {c["area"] for c in cases} == set(AREAS)
    assert {e["type"] for e in events} == set(EVENT_TYPES)
    by_type = defaultdict(list)
    for e in events:
        by_type[e["type"]].append(e)
    assert {e["kind"] for e in by_type["aktualisering"]} == {"anmalan", "ansokan", "annan_vag", "begaran_om_yttrande"}
    assert {e["outcome"] for e in by_type["forhandsbedomning"]} == {"inleda_utredning", "inte_inleda_utredning"}
    assert {e["outcome"] for e in by_type["utredning_avslutad"]} == {"insats", "ingen_insats", "overford"}
    assert {e["outcome"] for e in by_type["beslut"]} == {"bifall", "delvis_bifall", "avslag"}
    bases = {e["legal_basis"] for e in by_type["beslut"]}
    assert {"SoL 4:1", "SoL 4:2", "LVU 2 §", "LVU 3 §", "LVM 4 §", "FB"} <= bases
    assert any(b.startswith("LSS 9 § ") for b in bases)
    assert {e["accepted"] for e in by_type["erbjudande"]} == {True, False}
    assert {c.get("case_type") for c in cases} >= {"vbu_utredning", "samarbetssamtal", "faderskap", "adoption_medgivande", "umgangesstod"}
    assert all("amount_sek" in e for e in by_type["beslut"] if e["intervention"] == "forsorjningsstod" and e["outcome"] != "avslag")
    assert check_exchange(path) == []


def test_medium_is_valid(medium):
    path, counts, data = medium
    assert check_exchange(path, data=data) == []
    _, persons, cases, events = data
    assert counts["events"] == len(events) <= 250_000
    assert counts["persons"] == len(persons) and counts["cases"] == len(cases)
    assert sum(counts["events_by_type"].values()) == len(events)


def test_personnummer_valid_and_consistent(small, medium):
    for data in (small[2], medium[2]):
        _, persons, _, _ = data
        coordination = nulls = 0
        for p in persons:
            pnr = p["personnummer"]
            if pnr is None:
                nulls += 1
                date.fromisoformat(p["birth_date"])
                continue
            assert re.fullmatch(r"\d{8}-\d{4}", pnr), pnr
            parsed = pnr_lib.Personnummer(pnr)  # raises on a bad checksum or date
            assert pnr_lib.valid(pnr)
            assert p["sex"] == ("man" if parsed.is_male() else "kvinna"), p
            assert (int(pnr[-2]) % 2 == 1) == (p["sex"] == "man")
            coordination += parsed.is_coordination_number()
        assert coordination >= 1 and nulls >= 1
        assert len({p["personnummer"] for p in persons if p["personnummer"]}) == len(persons) - nulls
        assert any(p["sex"] == "okänt" for p in persons)


def test_protected_identity_about_one_percent(small, medium):
    _, persons, _, _ = medium[2]
    share = sum(p["protected_identity"] for p in persons) / len(persons)
    assert 0.006 <= share <= 0.015
    _, persons, _, _ = small[2]
    assert 1 <= sum(p["protected_identity"] for p in persons) <= max(3, len(persons) * 0.03)


def _birth(p):
    if p["personnummer"] is None:
        return date.fromisoformat(p["birth_date"])
    return pnr_lib.Personnummer(p["personnummer"]).get_date()


def test_ages_and_sex_split_per_area(medium):
    _, persons, cases, events = medium[2]
    P = {p["id"]: p for p in persons}
    C = {c["id"]: c for c in cases}
    births = {}
    for e in events:
        if e["type"] != "aktualisering":
            continue
        c = C[e["case_id"]]
        born = births.get(c["person_id"])
        if born is None:
            born = births[c["person_id"]] = _birth(P[c["person_id"]])
        born = born.date() if hasattr(born, "date") else born
        d = date.fromisoformat(e["date"])
        age = d.year - born.year - ((d.month, d.day) < (born.month, born.day))
        if c["area"] == "barn_och_unga":
            assert 0 <= age <= 17, (e, age)
        elif c["area"] in ("vuxna_missbruk", "vuxna_ovrigt", "ekonomiskt_bistand", "vald_i_nara_relation"):
            assert age >= 18, (e, age)
    sex = defaultdict(Counter)
    for e in events:
        if e["type"] == "aktualisering":
            c = C[e["case_id"]]
            sex[c["area"]][P[c["person_id"]]["sex"]] += 1
    share_men = {a: s["man"] / (s["man"] + s["kvinna"]) for a, s in sex.items()}
    assert 0.52 <= share_men["ekonomiskt_bistand"] <= 0.66  # 4 267 of 7 241 applications (seed 004)
    assert share_men["vuxna_missbruk"] > 0.6
    assert share_men["vald_i_nara_relation"] < 0.25


def test_child_investigations_about_forty_percent_over_four_months(medium):
    _, _, cases, events = medium[2]
    C = {c["id"]: c for c in cases}
    E = {e["id"]: e for e in events}
    closed = over = 0
    for e in events:
        if e["type"] == "utredning_avslutad" and C[e["case_id"]]["area"] == "barn_och_unga":
            opened = date.fromisoformat(E[e["utredning_id"]]["date"])
            closed += 1
            over += date.fromisoformat(e["date"]) > add_months(opened, 4)
    assert closed > 1000
    assert 0.30 <= over / closed <= 0.50


def test_medium_volumes_follow_norrtalje(medium):
    _, _, cases, events = medium[2]
    C = {c["id"]: c for c in cases}
    year = Counter()
    for e in events:
        if e["type"] == "aktualisering" and e["date"].startswith("2024"):
            year[C[e["case_id"]]["area"]] += 1
    assert 6000 <= year["ekonomiskt_bistand"] <= 8500  # 7 241 applications in 2023
    assert 750 <= year["vuxna_missbruk"] <= 1200  # 966 reports in 2023
    fh = [e for e in events if e["type"] == "forhandsbedomning" and C[e["case_id"]]["area"] == "barn_och_unga"]
    E = {e["id"]: e for e in events}
    within = sum((date.fromisoformat(e["date"]) - date.fromisoformat(E[e["aktualisering_id"]]["date"])).days <= 14 for e in fh)
    assert 0.93 <= within / len(fh) <= 0.99  # about 96 %
    # some favourable SoL 4:1 / LSS decisions wait more than three months (IVO report content)
    done = {e["beslut_id"]: e["date"] for e in events if e["type"] == "verkstalld"}
    late = [e for e in events if e["type"] == "beslut" and e["outcome"] != "avslag"
            and (e["legal_basis"] == "SoL 4:1" or e["legal_basis"].startswith("LSS"))
            and e["date"] < "2026-01-01"
            and (date.fromisoformat(done.get(e["id"], "2026-10-31")) - date.fromisoformat(e["date"])).days > 92]
    assert len(late) > 50


def test_units(small, medium):
    assert [u["code"] for u in units_for("small")] == list(AREAS)
    large = units_for("large")
    assert len(large) == 24 and {"barn_och_unga_1", "barn_och_unga_4", "familjeratt_4"} <= {u["code"] for u in large}
    assert {"code": "barn_och_unga_1", "name": "Barn och unga 1", "area": "barn_och_unga"} in large
    manifest, _, cases, _ = medium[2]
    codes = {u["code"] for u in manifest["units"]}
    assert {"barn_och_unga_1", "barn_och_unga_2", "ekonomiskt_bistand"} <= codes and "barn_och_unga" not in codes
    assert {c["unit"] for c in cases} == codes
    assert PROFILES["large"]["code"] == "0180" and PROFILES["medium"]["code"] == "0188"


def test_window_is_honoured(tmp_path):
    generate("small", 5, tmp_path, start=date(2024, 1, 1), end=date(2025, 6, 30))
    assert check_exchange(tmp_path, end=date(2025, 6, 30)) == []
    _, _, _, events = load(tmp_path)
    assert max(e["date"] for e in events) <= "2025-06-30"


def test_command_writes_counts_and_refuses_non_empty_dir(tmp_path):
    out = io.StringIO()
    call_command("synth", "--size", "small", "--seed", "3", "--out", str(tmp_path / "x"), stdout=out)
    text = out.getvalue()
    assert "Personer:" in text and "skyddad identitet" in text and "barn_och_unga" in text
    assert "Händelser totalt:" in text and "aterupptagen" in text
    assert all((tmp_path / "x" / name).is_file() for name in FILES)
    with pytest.raises(CommandError, match="inte tom"):
        call_command("synth", "--size", "small", "--seed", "3", "--out", str(tmp_path / "x"), stdout=io.StringIO())
    call_command("synth", "--size", "small", "--seed", "4", "--out", str(tmp_path / "x"), "--force", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("synth", "--size", "small", "--out", str(tmp_path / "y"), "--start", "2024-13-01", stdout=io.StringIO())


def test_lines_are_plain_json_dumps(small):
    """Fixed key order, ensure_ascii=False, default separators: re-encoding gives the same bytes."""
    path = small[0]
    for name in ("persons.jsonl", "cases.jsonl", "events.jsonl"):
        for line in (path / name).read_text(encoding="utf-8").splitlines():
            assert json.dumps(json.loads(line), ensure_ascii=False) == line
    text = (path / "events.jsonl").read_text(encoding="utf-8")
    assert "\\u00" not in text and "ä" in text


def test_forsorjningsstod_amounts_come_from_a_plain_distribution_not_the_norm(small):
    """Issue 9 §5: the riksnorm constants and their nearest-year fallback are gone; amounts are a
    documented synthetic distribution (living costs grown 3 % a year by formula, plus costs,
    minus income), present on every granted försörjningsstöd decision."""
    from akta.synth import generator

    assert not [n for n in dir(generator) if n.startswith("NORM")]
    assert not hasattr(generator, "NORM_INDEX")
    _, _, (manifest, persons, cases, events) = small
    amounts = defaultdict(list)
    for e in events:
        if e["type"] == "beslut" and e["intervention"] == "forsorjningsstod" and e["outcome"] != "avslag":
            assert isinstance(e["amount_sek"], int) and e["amount_sek"] >= 300
            amounts[e["date"][:4]].append(e["amount_sek"])
    assert amounts
    everything = sorted(a for v in amounts.values() for a in v)
    median = everything[len(everything) // 2]
    assert 5000 <= median <= 20000  # 3 000 kr + rent 4 000–8 000 kr + 300–700 kr, for one adult
    # Every year has an amount by the same formula (no table of years, no nearest-year fallback).
    import random

    def amount(year):
        return generator._Gen.amount(None, random.Random(1), date(year, 6, 1).toordinal(), 3000, 5000, 0)

    for year, growth in ((2021, 1.0), (2030, 1.03 ** 9), (2015, 1.03 ** -6)):
        assert abs(amount(year) / amount(2021) - (3000 * growth + 5000) / 8000) < 0.001
