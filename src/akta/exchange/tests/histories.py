"""Hypothesis strategies for valid exchange histories (used by the round-trip property test)."""
from datetime import date, timedelta

from hypothesis import strategies as st

from akta.access.models import Area
from akta.cases.schema import AKTUALISERING_KINDS, INTERVENTIONS, LEGAL_BASIS_EXAMPLES, UTREDNING_OUTCOMES


def luhn_digit(nine):
    total = 0
    for i, c in enumerate(nine):
        d = int(c) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return (10 - total % 10) % 10


def personnummer(born, serial, coordination=False, dash=True):
    day = born.day + (60 if coordination else 0)
    yymmdd = f"{born:%y%m}{day:02d}"
    s = f"{serial:03d}"
    check = luhn_digit(yymmdd + s)
    return f"{born.year:04d}{born.month:02d}{day:02d}{'-' if dash else ''}{s}{check}"


text = st.text(alphabet="abcdefghijklmnopqrstuvwxyzåäöÅÄÖ ", min_size=1, max_size=20)


@st.composite
def persons(draw, pid):
    born = draw(st.dates(date(1930, 1, 1), date(2024, 12, 31)))
    rec = {"id": pid}
    kind = draw(st.sampled_from(["pnr", "pnr", "coordination", "none"]))
    if kind == "none":
        rec["personnummer"] = None
        rec["birth_date"] = born.isoformat()
        rec["sex"] = draw(st.sampled_from(["kvinna", "man", "okänt"]))
    else:
        serial = draw(st.integers(1, 999))
        rec["personnummer"] = personnummer(born, serial, kind == "coordination", draw(st.booleans()))
        if draw(st.booleans()):
            rec["birth_date"] = born.isoformat()
        if draw(st.booleans()):
            rec["sex"] = "man" if serial % 2 else "kvinna"  # the serial's last digit is the sex digit
    if draw(st.booleans()):
        rec["protected_identity"] = draw(st.booleans())
    if draw(st.booleans()):
        rec["name"] = draw(text)
    return rec


@st.composite
def case_events(draw, cid, opened, counter):
    """A plausible, valid sequence of events for one case."""
    events = []
    day = opened

    def nxt(max_gap=60, min_gap=0):
        nonlocal day
        day = day + timedelta(days=draw(st.integers(min_gap, max_gap)))
        return day.isoformat()

    def add(**kw):
        counter[0] += 1
        eid = f"E{counter[0]}"
        events.append({"id": eid, "case_id": cid, **kw})
        return eid

    akt = {"type": "aktualisering", "date": nxt(0), "kind": draw(st.sampled_from(sorted(AKTUALISERING_KINDS)))}
    if draw(st.booleans()):
        akt["reporter"] = draw(text)
    if draw(st.booleans()):
        akt["reasons"] = draw(st.lists(st.sampled_from(["vald", "missbruk", "skolfranvaro", "ekonomi"]), max_size=3))
    a = add(**akt)
    if draw(st.booleans()):
        add(type="skyddsbedomning", date=nxt(2), aktualisering_id=a)
    if draw(st.booleans()):
        add(type="forhandsbedomning", date=nxt(20), aktualisering_id=a,
            outcome=draw(st.sampled_from(["inleda_utredning", "inte_inleda_utredning"])))
    utr = None
    if draw(st.booleans()):
        utr = add(type="utredning_inledd", date=nxt(5), **({"aktualisering_id": a} if draw(st.booleans()) else {}))
        if draw(st.booleans()):
            start = nxt(130)
            until = (day + timedelta(days=draw(st.integers(1, 90)))).isoformat()
            add(type="utredning_forlangd", date=start, utredning_id=utr, until=until, reason=draw(text))
        if draw(st.booleans()):
            add(type="utredning_avslutad", date=nxt(150), utredning_id=utr, outcome=draw(st.sampled_from(sorted(UTREDNING_OUTCOMES))))
    for _ in range(draw(st.integers(0, 2))):
        b = {"type": "beslut", "date": nxt(30), "legal_basis": draw(st.sampled_from(LEGAL_BASIS_EXAMPLES)),
             "intervention": draw(st.sampled_from(sorted(INTERVENTIONS))),
             "outcome": draw(st.sampled_from(["bifall", "delvis_bifall", "avslag"]))}
        if utr and draw(st.booleans()):
            b["utredning_id"] = utr
        if draw(st.booleans()):
            b["amount_sek"] = draw(st.one_of(st.integers(0, 50000), st.decimals(0, 50000, places=2).map(float)))
        bid = add(**b)
        if b["outcome"] == "avslag":
            continue
        if draw(st.booleans()):
            add(type="erbjudande", date=nxt(30), beslut_id=bid, accepted=draw(st.booleans()))
        if draw(st.booleans()):
            add(type="verkstalld", date=nxt(100), beslut_id=bid)
            for _ in range(draw(st.integers(0, 2))):
                # An interruption and its resumption on one day are not ordered by the format; keep a day between.
                add(type="avbrott", date=nxt(60, 1), beslut_id=bid, **({"reason": draw(text)} if draw(st.booleans()) else {}))
                if draw(st.booleans()):
                    add(type="aterupptagen", date=nxt(120, 1), beslut_id=bid)
                else:
                    break
            if draw(st.booleans()):
                add(type="overvagande", date=nxt(185), beslut_id=bid)
            if draw(st.booleans()):
                add(type="insats_avslutad", date=nxt(200), beslut_id=bid, reason=draw(text))
    if draw(st.booleans()):
        add(type="avflyttad", date=nxt(30))
    if draw(st.booleans()):
        add(type="arende_avslutat", date=nxt(30), **({"reason": draw(text)} if draw(st.booleans()) else {}))
    return events


@st.composite
def histories(draw):
    n = draw(st.integers(1, 4))
    ps = [draw(persons(f"P{i}")) for i in range(n)]
    cs, es, counter = [], [], [0]
    for i in range(draw(st.integers(1, 6))):
        p = draw(st.sampled_from(ps))
        opened = draw(st.dates(date(2018, 1, 1), date(2025, 12, 31)))
        c = {"id": f"C{i}", "person_id": p["id"], "area": draw(st.sampled_from(Area.values)), "opened": opened.isoformat()}
        if draw(st.booleans()):
            c["case_type"] = draw(st.sampled_from(["vbu_utredning", "samarbetssamtal", "faderskap", "umgangesstod"]))
        cs.append(c)
        es.extend(draw(case_events(c["id"], opened, counter)))
    es = draw(st.permutations(es))  # any order (exchange-v1 §1)
    return ps, cs, es
