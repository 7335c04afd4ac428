"""The annual kvalitetsberättelse, the quarterly committee reports and the IVO notification.

Each report is built once as an akta.quality.documents.Doc and rendered to DOCX or PDF. The
structure follows seeds 000 (Arjeplog 2020) and 001 (Östersund 2014/2015): organisation,
ledningssystemet, egenkontroll, avvikelser, lex Sarah, klagomål och synpunkter, riskanalys,
internkontroll, statistik, mål and förbättringsplan. Narrative text is written in Akta
(ReportSection per year and section); tables are computed from the registers with the
previous year beside this year, totals derived from their rows.
"""
import datetime as dt
from dataclasses import dataclass

from django.db.models import Count

from akta import municipality
from akta.law.services import reference, references_in_period
from akta.quality import models as m
from akta.quality import statistics as st
from akta.quality.documents import Doc
from akta.quality.models import LEX_SARAH_KEYS, ivo_notification_rule_text, lex_sarah_references

MISSING_TEXT = "(Avsnittets text är inte skriven ännu.)"
NO_STATISTICS = "Statistik ej tillgänglig: uppföljningsmotorn (akta.followup) kunde inte laddas."

# Indicators of the follow-up engine shown in the statistics section, in this order.
STATISTICS_INDICATORS = ["persons_active", "cases_closed", "forhandsbedomning_14d", "utredningar_open",
                         "evb_waiting", "kkik_u31462"]


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    narrative: bool = True
    hint: str = ""


SECTIONS = [
    Section("organisation", "Organisation", hint="Nämndens och förvaltningens organisation under året, "
            "bemanning och förändringar."),
    Section("ledningssystem", "Ledningssystemet för systematiskt kvalitetsarbete",
            hint="Hur ledningssystemet är uppbyggt, vad som fastställts och reviderats under året."),
    Section("egenkontroll", "Egenkontroll", hint="Analys av årets egenkontroller och slutsatser."),
    Section("avvikelser", "Avvikelser", hint="Analys av årets avvikelser, mönster och lärdomar."),
    Section("lex_sarah", "Lex Sarah", hint="Analys av årets rapporter och utredningar enligt lex Sarah."),
    Section("klagomal", "Klagomål och synpunkter", hint="Vad klagomålen och synpunkterna handlar om och vad de lett till."),
    Section("riskanalys", "Riskanalys", hint="Årets riskanalyser och hur riskerna hanteras."),
    Section("internkontroll", "Internkontroll", hint="Sammanfattning av internkontrollens resultat."),
    Section("statistik", "Statistik", hint="Kommentarer till statistiken."),
    Section("mal", "Mål", hint="Kommentarer till måluppfyllelsen."),
    Section("forbattringsplan", "Förbättringsplan för nästa år", hint="Prioriterade förbättringsområden."),
]


def _year_range(year):
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _narrative(doc, texts, key):
    text = texts.get(key, "").strip()
    doc.p(text if text else MISSING_TEXT, "" if text else "muted")


def _compare_table(doc, caption, data, what, chart=False):
    doc.table([what, str(data["year"] - 1), str(data["year"]), "Förändring"],
              [list(r) for r in data["rows"]], caption=caption, total=list(data["total"]))
    if chart:
        from akta.quality.charts import bar_chart

        year = data["year"]
        png = bar_chart(caption, [r[0] for r in data["rows"]],
                        [(str(year - 1), [r[1] for r in data["rows"]]), (str(year), [r[2] for r in data["rows"]])])
        doc.figure(png, f"Figur: {caption.lower()}, {year - 1} och {year} (samma siffror som i tabellen ovan).")


def _pct(part, whole):
    return f"{round(100 * part / whole)} %" if whole else "–"


def _days_line(label, d):
    if not d:
        return f"{label}: inga underlag."
    return (f"{label}: median {str(d['median']).replace('.', ',')} dagar, medelvärde "
            f"{str(d['mean']).replace('.', ',')} dagar, längst {d['max']} dagar (n = {d['n']}).")


# --- The annual report ----------------------------------------------------------------------


def annual_report(year):
    texts = dict(m.ReportSection.objects.filter(year=year).values_list("key", "text"))
    name = municipality.name()
    ref_day = min(dt.date(year, 12, 31), dt.date.today())
    doc = Doc(f"Kvalitetsberättelse {year}",
              subtitle=f"Individ- och familjeomsorgen{', ' + name if name else ''}",
              meta=[("År", year), ("Jämförelseår", year - 1), ("Upprättad", dt.date.today().isoformat()),
                    ("Grund", f"{reference('sosfs_2011_9.7.1', ref_day)} ({reference('sosfs_2011_9', ref_day)})")])
    doc.p(f"Kvalitetsberättelsen sammanfattar hur nämnden under {year} har arbetat med att systematiskt och "
          f"fortlöpande utveckla och säkra verksamhetens kvalitet. Tabellerna är beräknade ur Aktas register "
          f"och jämför {year} med {year - 1}; summor är räknade ur raderna.")
    start, end = _year_range(year)
    pstart, pend = _year_range(year - 1)

    # 1 Organisation
    doc.h("Organisation")
    _narrative(doc, texts, "organisation")
    from akta.access.models import Unit

    units = list(Unit.objects.order_by("name"))
    if units:
        doc.table(["Enhet", "Område"], [[u.name, u.get_area_display() or "–"] for u in units],
                  caption="Enheter i Akta")

    # 2 Ledningssystemet
    doc.h("Ledningssystemet för systematiskt kvalitetsarbete")
    _narrative(doc, texts, "ledningssystem")
    docs = m.Document.objects.all()
    rows = []
    for kind, label in m.DocumentKind.choices:
        k = docs.filter(kind=kind)
        rows.append([label, k.filter(status=m.DocumentStatus.GALLANDE).count(),
                     k.filter(decided_on__gte=pstart, decided_on__lte=pend).count(),
                     k.filter(decided_on__gte=start, decided_on__lte=end).count(),
                     k.filter(status=m.DocumentStatus.GALLANDE, next_review__lte=end).count()])
    doc.table(["Typ", "Gällande", f"Beslutade {year - 1}", f"Beslutade {year}", f"Översyn förfallen {end}"], rows,
              caption="Processer, rutiner, riktlinjer och mallar",
              total=["Totalt", *[sum(r[i] for r in rows) for i in range(1, 5)]])

    # 3 Egenkontroll
    doc.h("Egenkontroll")
    _narrative(doc, texts, "egenkontroll")
    _self_inspection(doc, year)

    # 4 Avvikelser
    doc.h("Avvikelser")
    _narrative(doc, texts, "avvikelser")
    dev = m.Deviation.objects.all()
    _compare_table(doc, "Avvikelser per kategori", st.deviations_by(dev, "category", year), "Kategori", chart=True)
    _compare_table(doc, "Avvikelser per enhet", st.deviations_by(dev, "unit", year), "Enhet")
    cur, prev = st.deviation_figures(start, end), st.deviation_figures(pstart, pend)
    doc.table(["Mått", str(year - 1), str(year)], [
        ["Rapporterade", prev["reported"], cur["reported"]],
        ["Avslutade", prev["closed"], cur["closed"]],
        ["Ej avslutade", prev["open"], cur["open"]],
        ["Med kopplad åtgärd", prev["with_actions"], cur["with_actions"]],
    ], caption="Avvikelsernas handläggning (efter rapportdatum)")
    doc.p(_days_line("Tid från rapport till avslut", cur["days_to_close"]))

    # 5 Lex Sarah
    doc.h("Lex Sarah")
    doc.p(f"Bestämmelser: {references_in_period(LEX_SARAH_KEYS, start, ref_day)}; "
          f"{reference('sosfs_2011_5', ref_day)}.", "note")
    _narrative(doc, texts, "lex_sarah")
    cur, prev = st.lex_sarah_figures(start, end), st.lex_sarah_figures(pstart, pend)
    rows = [["Rapporter", prev["reported"], cur["reported"]]]
    rows += [[f"Bedömning: {label}", p, c] for (label, p), (_l, c) in zip(prev["assessments"], cur["assessments"])]
    rows += [["Ej bedömda vid årets slut", prev["unassessed"], cur["unassessed"]],
             ["Anmälda till IVO", prev["notified"], cur["notified"]],
             ["Anmälda senare än två veckor efter bedömningen", prev["notified_late"], cur["notified_late"]],
             ["IVO har fattat beslut", prev["ivo_decided"], cur["ivo_decided"]]]
    doc.table(["Mått", str(year - 1), str(year)], rows, caption="Lex Sarah (efter rapportdatum)",
              note="Raderna om bedömning summerar till antalet bedömda rapporter.")
    doc.bullets([_days_line("Händelse → rapport", cur["days_event_report"]),
                 _days_line("Rapport → bedömning", cur["days_report_assessment"]),
                 _days_line("Bedömning → anmälan till IVO", cur["days_assessment_notification"])])
    doc.p(f"Tidsgräns: {ivo_notification_rule_text(ref_day)}.", "note")

    # 6 Klagomål och synpunkter
    doc.h("Klagomål och synpunkter")
    _narrative(doc, texts, "klagomal")
    comp = m.Complaint.objects.all()
    _compare_table(doc, "Klagomål, synpunkter och beröm", st.compare(comp, "received_on", "kind", year), "Slag")
    _compare_table(doc, "Per kanal", st.compare(comp, "received_on", "channel", year), "Kanal")
    _compare_table(doc, "Klagomål och synpunkter per tema", st.compare(comp, "received_on", "theme", year), "Tema",
                   chart=True)
    cur, prev = st.complaint_figures(start, end), st.complaint_figures(pstart, pend)
    doc.table(["Mått", str(year - 1), str(year)], [
        ["Klagomål och synpunkter som ska besvaras", prev["needs_answer"], cur["needs_answer"]],
        ["Besvarade", prev["answered"], cur["answered"]],
        ["Andel besvarade", _pct(prev["answered"], prev["needs_answer"]), _pct(cur["answered"], cur["needs_answer"])],
    ], caption="Svar")
    doc.p(_days_line("Tid till svar", cur["days_to_answer"]))

    # 7 Riskanalys
    doc.h("Riskanalys")
    _narrative(doc, texts, "riskanalys")
    _risks(doc, year)

    # 8 Internkontroll
    doc.h("Internkontroll")
    doc.p(f"Nämndens ansvar för den interna kontrollen: {reference('kl.6.6', ref_day)}.", "note")
    _narrative(doc, texts, "internkontroll")
    _internal_control(doc, year, end)

    # 9 Statistik
    doc.h("Statistik")
    _narrative(doc, texts, "statistik")
    statistics_section(doc, year)

    # 10 Mål
    doc.h("Mål")
    _narrative(doc, texts, "mal")
    goals = list(m.Goal.objects.filter(year=year))
    if goals:
        doc.table(["Mål", "Målvärde eller mått", "Resultat", "Måluppfyllelse"],
                  [[g.title, g.target or "–", g.result or "–", g.get_status_display()] for g in goals],
                  caption=f"Mål för {year}")
        counts = {label: sum(1 for g in goals if g.status == value) for value, label in m.GoalStatus.choices}
        doc.table(["Måluppfyllelse", "Antal"], [[k, v] for k, v in counts.items()],
                  total=["Totalt", sum(counts.values())])
    else:
        doc.p(f"Inga mål för {year} är registrerade.", "muted")

    # 11 Förbättringsplan
    doc.h("Förbättringsplan för nästa år")
    _narrative(doc, texts, "forbattringsplan")
    af = st.action_figures(year)
    doc.table(["Mått", "Antal"], [
        [f"Åtgärder med slutdatum {year}", af["due"]],
        ["– varav genomförda", af["done"]],
        ["– varav genomförda i tid", af["done_in_time"]],
        [f"Ej genomförda med slutdatum senast {end}", af["open_overdue"]],
    ], caption=f"Förbättringsåtgärder {year}")
    plan = (m.Action.objects.filter(status__in=[m.ActionStatus.PLANERAD, m.ActionStatus.PAGAR])
            .filter(due_date__lte=dt.date(year + 1, 12, 31)).select_related("owner").order_by("due_date"))
    if plan:
        doc.table(["Åtgärd", "Ansvarig", "Klar senast", "Status", "Grund"],
                  [[a.title, _person(a.owner), a.due_date.isoformat(), a.get_status_display(), _links(a)]
                   for a in plan], caption=f"Planerade och pågående åtgärder inför {year + 1}")
    else:
        doc.p("Inga planerade eller pågående åtgärder.", "muted")
    return doc


def _person(user):
    if user is None:
        return "–"
    return user.get_full_name() or user.username


def _links(action):
    parts = []
    for attr, label in (("deviations", "avvikelse"), ("lex_sarah", "lex Sarah"), ("complaints", "klagomål"),
                        ("risks", "risk"), ("findings", "egenkontroll"), ("control_results", "internkontroll")):
        nums = [o.number for o in getattr(action, attr).all()]
        if nums:
            parts.append(f"{label} {', '.join(nums)}")
    return "; ".join(parts) or "–"


def _self_inspection(doc, year):
    start, end = _year_range(year)
    rounds = list(m.SelfInspectionRound.objects.filter(period_end__gte=start, period_end__lte=end)
                  .select_related("plan").order_by("period_end"))
    prev_rounds = m.SelfInspectionRound.objects.filter(period_end__year=year - 1)
    groups = [v for v, _l in m.AreaGroup.choices]
    labels = dict(m.AreaGroup.choices)
    if not rounds:
        doc.p(f"Inga egenkontroller med period som slutar {year} är registrerade.", "muted")
        return
    rows = []
    for r in rounds:
        counts = dict(r.sampled.values("group").annotate(n=Count("pk")).values_list("group", "n"))
        rows.append([r.number, r.plan.title, f"{r.period_start} – {r.period_end}",
                     *[counts.get(g, 0) for g in groups], r.seed, r.get_status_display()])
    total = ["Totalt", "", "", *[sum(r[3 + i] for r in rows) for i in range(len(groups))], "", ""]
    doc.table(["Nr", "Plan", "Period", *[f"Akter {labels[g].lower()}" for g in groups], "Slumpfrö", "Status"], rows,
              caption=f"Egenkontroller {year} (slumpmässigt urval per område)", total=total,
              note="Urvalet kan upprepas med samma slumpfrö och period.")
    doc.table(["Kontrollfråga", "Ja", "Nej", "Ej aktuellt", f"Andel ja {year - 1}", f"Andel ja {year}"],
              _checklist_rows(rounds, list(prev_rounds)), caption="Resultat per kontrollfråga (andel ja av ja + nej)")
    findings = m.Finding.objects.filter(round__in=rounds)
    n_actions = m.Action.objects.filter(findings__in=findings).distinct().count()
    doc.p(f"Iakttagelser: {findings.count()}; åtgärder kopplade till iakttagelserna: {n_actions}.")
    doc.bullets([f.description for f in findings[:20]])


def _checklist_rows(rounds, prev_rounds):
    from collections import defaultdict

    def tally(rs):
        out = defaultdict(lambda: {"ja": 0, "nej": 0, "ej_aktuellt": 0})
        q = (m.CheckAnswer.objects.filter(sampled__round__in=rs)
             .values("item__text", "answer").annotate(n=Count("pk")).order_by())
        for r in q:
            out[r["item__text"]][r["answer"]] += r["n"]
        return out

    cur, prev = tally(rounds), tally(prev_rounds)
    rows = []
    for text in sorted(cur):
        c, p = cur[text], prev.get(text)
        rows.append([text, c["ja"], c["nej"], c["ej_aktuellt"],
                     _pct(p["ja"], p["ja"] + p["nej"]) if p else "–", _pct(c["ja"], c["ja"] + c["nej"])])
    return rows


def _risks(doc, year):
    start, end = _year_range(year)
    active = m.Risk.objects.exclude(status=m.RiskStatus.INAKTUELL).filter(identified_on__lte=end)
    new = m.Risk.objects.filter(identified_on__gte=start, identified_on__lte=end).count()
    new_prev = m.Risk.objects.filter(identified_on__year=year - 1).count()
    doc.p(f"Risker identifierade {year}: {new} ({year - 1}: {new_prev}). Aktuella risker vid årets slut: "
          f"{active.count()}.")
    matrix = st.risk_matrix(active)
    doc.table(["Sannolikhet \\ konsekvens", "1", "2", "3", "4"],
              [[str(row["likelihood"]), *[c["n"] for c in row["cells"]]] for row in matrix],
              caption="Riskmatris (antal risker; riskvärde = sannolikhet × konsekvens)")
    levels = st.risk_levels(active)
    doc.table(["Risknivå", "Antal"], [[k, v] for k, v in levels.items()], total=["Totalt", sum(levels.values())])
    top = sorted(active, key=lambda r: (-r.score, r.number))[:10]
    if top:
        doc.table(["Risk", "S", "K", "Riskvärde", "Åtgärder"],
                  [[r.title, r.likelihood, r.consequence, r.score, r.actions.count()] for r in top],
                  caption="De högsta riskerna")


def _internal_control(doc, year, until):
    plan = m.InternalControlPlan.objects.filter(year=year).first()
    if plan is None:
        doc.p(f"Ingen internkontrollplan för {year} är registrerad.", "muted")
        return
    doc.p(f"Internkontrollplan {year}" + (f", fastställd {plan.decision_ref}" if plan.decision_ref else "") + ".")
    points = list(plan.points.select_related("owner"))
    doc.table(["Process/rutin", "Kontrollmoment", "Frekvens", "Kontrollansvarig", "Metod"],
              [[p.process, p.control, p.frequency, _person(p.owner), p.method] for p in points],
              caption="Kontrollmoment")
    results = (m.ControlResult.objects.filter(point__plan=plan, period_end__lte=until)
               .select_related("point").order_by("point_id", "period_end"))
    rows = [[r.point.process, r.period_end.isoformat(), r.get_outcome_display(),
             "–" if r.checked is None else r.checked, "–" if r.deviating is None else r.deviating,
             r.reported_to_committee or "–"] for r in results]
    if rows:
        doc.table(["Process/rutin", "Mättidpunkt", "Utfall", "Kontrollerade", "Avvikande", "Rapporterad"], rows,
                  caption="Resultat")
        outcomes = {label: sum(1 for r in results if r.outcome == value) for value, label in m.ControlOutcome.choices}
        doc.table(["Utfall", "Antal"], [[k, v] for k, v in outcomes.items()], total=["Totalt", sum(outcomes.values())])
        doc.bullets([f"{r.point.process} ({r.period_end}): {r.result}" for r in results])
    else:
        doc.p("Inga resultat är registrerade.", "muted")


# --- Statistics from the follow-up engine --------------------------------------------------


def statistics_section(doc, year):
    try:
        from akta.followup.services import compute
    except ImportError:
        doc.p(NO_STATISTICS, "muted")
        return
    for ind_id in STATISTICS_INDICATORS:
        try:
            cur = compute(ind_id, year=year)
            prev = compute(ind_id, year=year - 1)
        except Exception as e:  # one indicator failing must not hide the others
            doc.p(f"{ind_id}: kunde inte beräknas ({e}).", "muted")
            continue
        _indicator_table(doc, cur, prev, year)


def _indicator_table(doc, cur, prev, year):
    ind = cur.indicator
    labels = {x.name: x.label for x in (*ind.measures, *ind.derived)}
    dims = [d for d in ind.dims]
    vcols = list(ind.value_columns)
    keys = list(ind.key_columns)

    def val(table, dim_values, col, sex="totalt"):
        given = dict(zip([d.name for d in dims], dim_values))
        given["sex"] = sex
        key = tuple(given.get(k) for k in keys)
        return table.cell(key, col)

    caption = ind.title
    if not dims:
        rows = [[labels.get(c, c), val(cur, (), c, "kvinna"), val(cur, (), c, "man"), val(prev, (), c),
                 val(cur, (), c)] for c in vcols]
        doc.table(["Mått", f"Kvinnor {year}", f"Män {year}", f"Totalt {year - 1}", f"Totalt {year}"], rows,
                  caption=caption)
        return
    dim = dims[0]
    values = []
    col = cur.columns.index(dim.name)
    for table in (prev, cur):
        for row in table.rows:
            if row[col] not in values and table.key_of(row) not in (table.summary_keys or set()):
                values.append(row[col])
    values.sort(key=dim.sort_key)
    if len(dims) == 1 and len(vcols) == 1:
        c = vcols[0]
        rows = [[dim.label_of(v), val(cur, (v,), c, "kvinna"), val(cur, (v,), c, "man"), val(prev, (v,), c),
                 val(cur, (v,), c)] for v in values]
        num = [r for r in rows if all(isinstance(x, (int, type(None))) for x in r[1:])]
        total = None
        if num and len(num) == len(rows) and ind.measures[0].agg != "persons":
            total = ["Totalt", *[sum(x or 0 for x in col) for col in list(zip(*[r[1:] for r in rows]))]]
        doc.table([dim.label, f"Kvinnor {year}", f"Män {year}", f"Totalt {year - 1}", f"Totalt {year}"], rows,
                  caption=f"{caption}; {labels.get(c, c).lower()}", total=total,
                  note="En person kan vara aktuell i flera områden; summan över områden anges därför inte."
                  if ind.measures[0].agg == "persons" else "")
        return
    rows = [[dim.label_of(v), *[val(cur, (v,), c) for c in vcols]] for v in values if len(dims) == 1]
    if rows:
        doc.table([dim.label, *[f"{labels.get(c, c)} {year}" for c in vcols]], rows, caption=caption)


# --- Quarterly committee reports ------------------------------------------------------------


def quarter_range(year, quarter):
    start = dt.date(year, 3 * (quarter - 1) + 1, 1)
    end = (dt.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1) - dt.timedelta(days=1))
    return start, end


def quarterly_report(year, quarter):
    """Lex Sarah and deviations for one quarter, ready to attach to a committee item."""
    start, end = quarter_range(year, quarter)
    name = municipality.name()
    doc = Doc(f"Lex Sarah och avvikelser, kvartal {quarter} {year}",
              subtitle=f"Rapport till socialnämnden{', ' + name if name else ''}",
              meta=[("Period", f"{start} – {end}"), ("Upprättad", dt.date.today().isoformat())])
    doc.h("Lex Sarah")
    doc.p(f"Bestämmelser: {references_in_period(LEX_SARAH_KEYS, start, min(end, dt.date.today()))}.", "note")
    f = st.lex_sarah_figures(start, end)
    ytd = st.lex_sarah_figures(dt.date(year, 1, 1), end)
    doc.table(["Mått", f"Kvartal {quarter}", "Hittills i år"], [
        ["Rapporter", f["reported"], ytd["reported"]],
        *[[f"Bedömning: {label}", n, y] for (label, n), (_l, y) in zip(f["assessments"], ytd["assessments"])],
        ["Ej bedömda", f["unassessed"], ytd["unassessed"]],
        ["Anmälda till IVO", f["notified"], ytd["notified"]],
        ["IVO har fattat beslut", f["ivo_decided"], ytd["ivo_decided"]],
    ], caption="Lex Sarah-rapporter (efter rapportdatum)")
    cases = m.LexSarah.objects.filter(reported_on__gte=start, reported_on__lte=end).select_related("unit")
    if cases:
        doc.table(["Nr", "Enhet", "Rapporterad", "Bedömning", "Anmäld till IVO", "Status"],
                  [[c.number, c.unit.name, c.reported_on.isoformat(), c.get_assessment_display() or "–",
                    c.notified_on.isoformat() if c.notified_on else "–", c.get_status_display()] for c in cases],
                  caption="Rapporter under kvartalet (utan personuppgifter)")
    doc.bullets([_days_line("Händelse → rapport", f["days_event_report"]),
                 _days_line("Rapport → bedömning", f["days_report_assessment"]),
                 _days_line("Bedömning → anmälan till IVO", f["days_assessment_notification"])])
    doc.h("Avvikelser")
    dq = st.deviation_figures(start, end)
    dy = st.deviation_figures(dt.date(year, 1, 1), end)
    doc.table(["Kategori", f"Kvartal {quarter}", "Hittills i år"],
              [[label, n, y] for (label, n), (_l, y) in zip(dq["by_category"], dy["by_category"])],
              caption="Avvikelser per kategori", total=["Totalt", dq["reported"], dy["reported"]])
    by_unit = st.count_by(m.Deviation.objects.all(), "reported_on", "unit", start, end)
    by_unit_ytd = st.count_by(m.Deviation.objects.all(), "reported_on", "unit", dt.date(year, 1, 1), end)
    units = sorted(set(by_unit) | set(by_unit_ytd))
    doc.table(["Enhet", f"Kvartal {quarter}", "Hittills i år"],
              [[u, by_unit.get(u, 0), by_unit_ytd.get(u, 0)] for u in units], caption="Avvikelser per enhet",
              total=["Totalt", sum(by_unit.values()), sum(by_unit_ytd.values())])
    doc.table(["Status", f"Kvartal {quarter}"], [[label, n] for label, n in dq["by_status"]],
              caption="Status för kvartalets avvikelser", total=["Totalt", dq["reported"]])
    doc.p(_days_line("Tid från rapport till avslut", dq["days_to_close"]))
    return doc


def internal_control_report(year, until=None):
    """The internal control plan of `year` and its results up to `until` (default: today / year end)."""
    end = until or min(dt.date(year, 12, 31), dt.date.today())
    name = municipality.name()
    doc = Doc(f"Uppföljning av internkontrollplan {year}",
              subtitle=f"Rapport till socialnämnden{', ' + name if name else ''}",
              meta=[("Resultat till och med", end.isoformat()), ("Upprättad", dt.date.today().isoformat()),
                    ("Grund", reference("kl.6.6", min(end, dt.date.today())))])
    doc.h("Internkontroll")
    _internal_control(doc, year, end)
    actions = (m.Action.objects.filter(control_results__point__plan__year=year).distinct()
               .select_related("owner").order_by("due_date"))
    doc.h("Åtgärder")
    if actions:
        doc.table(["Åtgärd", "Ansvarig", "Klar senast", "Status"],
                  [[a.title, _person(a.owner), a.due_date.isoformat(), a.get_status_display()] for a in actions])
    else:
        doc.p("Inga åtgärder är kopplade till årets kontrollresultat.", "muted")
    return doc


# --- The IVO notification --------------------------------------------------------------------


def ivo_notification_document(ls, show_case=True):
    """Anmälan till IVO enligt lex Sarah, generated from the register row."""
    from akta.access.services import PROTECTED_LABEL

    on = ls.assessed_on
    name = municipality.name()
    doc = Doc("Anmälan till Inspektionen för vård och omsorg (IVO) enligt lex Sarah",
              subtitle=f"Socialnämnden{', ' + name if name else ''}",
              meta=[("Lex Sarah-nummer", ls.number), ("Enhet", ls.unit.name),
                    ("Bestämmelse", reference("sol.14.7", on)), ("Datum", dt.date.today().isoformat())])
    doc.h("Bedömning")
    doc.p(f"{ls.get_assessment_display()} (bedömd {ls.assessed_on}).")
    doc.p(ls.assessment_reasoning or "–")
    doc.h("Vad har hänt")
    doc.table(["Uppgift", "Datum"], [["Händelsen inträffade", ls.event_date.isoformat()],
                                     ["Rapporterades", ls.reported_on.isoformat()],
                                     ["Omedelbara åtgärder", ls.remedied_on.isoformat() if ls.remedied_on else "–"],
                                     ["Utredningen inleddes", ls.investigation_started_on.isoformat()
                                      if ls.investigation_started_on else "–"],
                                     ["Utredningen avslutades med bedömning", ls.assessed_on.isoformat()]])
    doc.p(ls.description)
    doc.h("Berörd enskild")
    person = ls.person
    if person is None:
        doc.p("Missförhållandet rör inte en enskild person i ett ärende i Akta.")
    elif not show_case:  # the same masking as the page: no case id outside the user's units
        doc.p("Missförhållandet rör en enskild i ett ärende i en enhet som du inte har behörighet till. "
              "Uppgifter om den enskilde lämnas av enheten enligt IVO:s anvisningar.")
    elif person.protected_identity:
        doc.p(f"{PROTECTED_LABEL}. Uppgifter om den enskilde lämnas separat enligt rutin för skyddade "
              "personuppgifter.")
    else:
        doc.p(f"Ärende {ls.case.ext_id}. Kön: {person.get_sex_display()}, födelseår {person.birth_date.year}. "
              "Personuppgifter lämnas i bilaga enligt IVO:s anvisningar.")
    doc.h("Omedelbara åtgärder")
    doc.p(ls.remedy or "–")
    doc.h("Utredning")
    doc.p(ls.investigation or "–")
    doc.h("Åtgärder för att förhindra att det händer igen")
    actions = list(ls.actions.select_related("owner"))
    if actions:
        doc.table(["Åtgärd", "Ansvarig", "Klar senast", "Status"],
                  [[a.title, _person(a.owner), a.due_date.isoformat(), a.get_status_display()] for a in actions])
    else:
        doc.p("Inga åtgärder är registrerade.", "muted")
    due = ls.notification_due
    doc.p(f"Tidsgräns: {ivo_notification_rule_text(on)}; senast {due}. "
          f"Dagar från händelse till rapport: {ls.days_event_to_report}; från rapport till bedömning: "
          f"{ls.days_report_to_assessment}.", "note")
    doc.p(f"Bestämmelser: {lex_sarah_references(on)}.", "note")
    return doc
