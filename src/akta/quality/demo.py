"""A year of realistic quality records for the demo municipality (deterministic).

`create_demo_records(year)` fills the registers for `year` (and, by default, a lighter
previous year so the report has something to compare with): processes and routines,
deviations and lex Sarah cases taken through their workflows, complaints, risks, actions,
two egenkontroll rounds sampling the existing case files, an internal control plan with
results, goals and the narrative of the kvalitetsberättelse. Everything is written through
the services (so it has history) and is derived from a random generator seeded with the
year: the same database gives the same records. Running it again for a year that already
has records does nothing.
"""
import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from akta.access.models import Role, Unit, User
from akta.cases.models import Case
from akta.quality import models as m
from akta.quality import services, workflow

DOCUMENTS = [
    ("process", "Barn och unga – från aktualisering till uppföljning", "barn_och_unga"),
    ("process", "Ekonomiskt bistånd – ansökan till utbetalning", "ekonomiskt_bistand"),
    ("process", "Vuxna – utredning och insatser vid missbruk", "vuxna_missbruk"),
    ("rutin", "Skyddsbedömning och förhandsbedömning inom 14 dagar", "barn_och_unga"),
    ("rutin", "Utredningsplan och utredningstid", "barn_och_unga"),
    ("rutin", "Genomförandeplan och uppföljning av insatser", ""),
    ("rutin", "Motivering av beslut och underrättelse om överklagande", ""),
    ("rutin", "Avvikelsehantering", ""),
    ("rutin", "Rapportering och utredning enligt lex Sarah", ""),
    ("rutin", "Klagomål och synpunkter", ""),
    ("rutin", "Loggkontroll", ""),
    ("rutin", "Gallring och arkivering av personakter", ""),
    ("riktlinje", "Riktlinjer för ekonomiskt bistånd", "ekonomiskt_bistand"),
    ("riktlinje", "Riktlinjer för handläggning och dokumentation", ""),
    ("mall", "Mall: utredning enligt BBIC", "barn_och_unga"),
    ("mall", "Mall: anmälan till IVO enligt lex Sarah", ""),
]

CHECKLIST = [
    ("Utredningsplan finns", "Utredningsplan och utredningstid"),
    ("Förhandsbedömning gjord inom 14 dagar", "Skyddsbedömning och förhandsbedömning inom 14 dagar"),
    ("Beslut motiverat", "Motivering av beslut och underrättelse om överklagande"),
    ("Genomförandeplan aktuell", "Genomförandeplan och uppföljning av insatser"),
    ("Journalanteckningar förda löpande", "Riktlinjer för handläggning och dokumentation"),
]

DEVIATION_TEXTS = {
    "handlaggning": ["Utredningen har inte kommunicerats med vårdnadshavaren före beslut.",
                     "Beslut fattat utan att underrättelse om hur man överklagar skickats.",
                     "Journalanteckningar saknas för en period av tre veckor."],
    "sekretess": ["Handlingar med sekretessuppgifter skickades till fel mottagare via fax.",
                  "E-post med personuppgifter skickades okrypterat till extern part."],
    "samverkan": ["Regionen tog inte emot en muntlig orosanmälan utan begärde skriftlig anmälan.",
                  "SIP-möte ställdes in utan att socialtjänsten underrättades."],
    "bemotande": ["Klient upplevde att handläggaren inte lyssnade vid telefonsamtal."],
    "rutin": ["Rutinen för förhandsbedömning följdes inte; bedömningen gjordes efter 20 dagar.",
              "Genomförandeplan upprättades inte inom en månad efter beslut."],
    "arbetsmiljo": ["Klient tog sig in i personalrummet under lunchtid."],
    "it": ["Verksamhetssystemet var otillgängligt en hel dag; anteckningar fördes på papper."],
    "ovrigt": ["Post till enheten blev liggande i kommunens reception i fyra dagar."],
}

LEX_SARAH = [
    ("inget", "Placerat barn lämnades utan tillsyn en kväll i familjehemmet.", None),
    ("inget", "Försenad utbetalning av försörjningsstöd till barnfamilj inför helg.", None),
    ("pataglig_risk", "Orosanmälan om ett barn registrerades inte och blev liggande i två veckor utan skyddsbedömning.",
     "IVO avslutar ärendet; nämnden har vidtagit tillräckliga åtgärder."),
    ("allvarligt", "Tidigare anställd har överskridit sina befogenheter i flera ärenden och fattat beslut utan delegation.",
     "IVO riktar kritik mot nämnden och avslutar ärendet efter redovisade åtgärder."),
    ("inget", "Klient på HVB fick inte sin medicin under en helg på grund av missförstånd vid överlämning.", None),
]

RISKS = [
    ("Barnutredningar överskrider fyra månader", 3, 4),
    ("Orosanmälningar registreras inte samma dag", 2, 4),
    ("Hög personalomsättning bland socialsekreterare", 3, 3),
    ("Ej verkställda beslut rapporteras inte till IVO", 2, 3),
    ("Sekretessuppgifter skickas till fel mottagare", 2, 3),
    ("Verksamhetssystemet otillgängligt", 2, 2),
    ("Ensamarbete vid hembesök", 2, 4),
    ("Bristande dokumentation av genomförandeplaner", 3, 2),
]

COMPLAINT_TEXTS = {
    "tillganglighet": "Svårt att nå handläggaren på telefontid.",
    "bemotande": "Upplevde sig inte lyssnad på vid besöket.",
    "handlaggningstid": "Lång väntan på beslut om försörjningsstöd.",
    "beslut": "Missnöjd med avslag på ansökan om bistånd till möbler.",
    "information": "Fick inte information om hur man överklagar.",
    "ovrigt": "Synpunkt på öppettiderna i receptionen.",
}

CONTROL_POINTS = [
    ("Barnutredningars varaktighet", "Mätning av utredningstid i pågående barnutredningar vid mättidpunkten.",
     "Fyra gånger per år (februari, maj, september, december)",
     "Sammanställning ur Akta av pågående utredningar avseende barn 0–18 år per mättidpunkt."),
    ("Förhandsbedömning inom 14 dagar", "Andel förhandsbedömningar som beslutas inom 14 dagar.",
     "Två gånger per år", "Stickprov om 20 aktualiseringar per halvår."),
    ("Ej verkställda beslut", "Att alla gynnande beslut som inte verkställts inom tre månader rapporteras till IVO.",
     "Varje kvartal", "Jämförelse mellan Aktas lista och kvartalsrapporten till IVO."),
    ("Loggkontroll", "Att åtkomst till personakter med skyddade personuppgifter är befogad.",
     "Två gånger per år", "Granskning av loggutdrag för slumpvis valda användare."),
]


def _user(role):
    return User.objects.filter(role=role, is_active=True).order_by("pk").first()


def _date(rng, start, last):
    if last < start:
        return None
    return start + dt.timedelta(days=rng.randint(0, (last - start).days))


def _after(rng, d, lo, hi, last):
    nd = d + dt.timedelta(days=rng.randint(lo, hi))
    return nd if nd <= last else None


def create_demo_records(year, with_previous=True):
    """Fill `year` (and a lighter `year - 1`) with quality records. Returns counts per register."""
    counts = {}
    if with_previous:
        _fill_year(year - 1, light=True, counts=counts)
    _fill_year(year, light=False, counts=counts)
    return counts


def _fill_year(year, light, counts):
    today = timezone.localdate()
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    if start > today:
        raise ValueError(f"år {year} har inte börjat")
    if m.Deviation.objects.filter(number__startswith=f"AV-{year}-").exists():
        return
    last = min(end, today)
    rng = random.Random(f"akta-kvalitet-{year}")
    anyone = User.objects.filter(is_active=True).exclude(role=Role.SYSTEMFORVALTARE).order_by("pk").first()
    if anyone is None:
        raise ValueError("Demodata för kvalitetsarbetet kräver användare: skapa demoanvändarna först.")
    ku = _user(Role.KVALITETSUTVECKLARE) or _user(Role.ENHETSCHEF) or anyone
    ec = _user(Role.ENHETSCHEF) or ku
    reporters = list(User.objects.filter(role=Role.HANDLAGGARE, is_active=True).order_by("pk")) or [ec]
    units = list(Unit.objects.order_by("code"))
    if not units:
        units = [Unit.objects.create(code="ifo", name="Individ- och familjeomsorgen")]
    cases = list(Case.objects.order_by("ext_id").values_list("pk", flat=True)[:400])

    with transaction.atomic():
        docs = _documents(rng, year, ku, ec, units, counts)
        plan = _self_inspection_plan(docs, ku, counts)
        actions_for = []

        n_dev = 8 if light else 24
        for i in range(n_dev):
            category = rng.choice(list(DEVIATION_TEXTS))
            event = _date(rng, start, last - dt.timedelta(days=3)) or start
            reported = min(event + dt.timedelta(days=rng.choice([0, 0, 1, 2, 5])), last)
            reporter = rng.choice(reporters)
            case = Case.objects.get(pk=rng.choice(cases)) if cases and rng.random() < 0.3 else None
            unit = case.unit if case else rng.choice(units)
            dev = services.create(m.Deviation, reporter, category=category, event_date=event, reported_on=reported,
                                  unit=unit, description=rng.choice(DEVIATION_TEXTS[category]), reporter=reporter,
                                  case=case)
            counts["avvikelser"] = counts.get("avvikelser", 0) + 1
            dev = _walk_deviation(rng, dev, ec, last)
            if dev.status in (m.DeviationStatus.ATGARDER, m.DeviationStatus.ATERKOPPLAD, m.DeviationStatus.AVSLUTAD) \
                    and rng.random() < 0.5:
                actions_for.append(("deviations", dev, dev.actions_decided_on))

        for i, (assessment, text, ivo) in enumerate(LEX_SARAH[: 2 if light else 5]):
            event = _date(rng, start, last - dt.timedelta(days=60)) or start
            reported = min(event + dt.timedelta(days=rng.choice([0, 1, 3])), last)
            reporter = rng.choice(reporters)
            case = Case.objects.get(pk=cases[(i * 37 + year) % len(cases)]) if cases else None
            unit = case.unit if case else rng.choice(units)
            ls = services.create(m.LexSarah, reporter, event_date=event, reported_on=reported, unit=unit,
                                 description=text, reporter=reporter, case=case)
            counts["lex_sarah"] = counts.get("lex_sarah", 0) + 1
            ls = _walk_lex_sarah(rng, ls, ec, assessment, ivo, last)
            if ls.assessed_on:
                actions_for.append(("lex_sarah", ls, ls.assessed_on))

        n_comp = 6 if light else 16
        for i in range(n_comp):
            kind = rng.choices(["klagomal", "synpunkt", "berom"], weights=[6, 3, 2])[0]
            theme = rng.choice(list(COMPLAINT_TEXTS))
            received = _date(rng, start, last) or start
            c = services.create(m.Complaint, ku, kind=kind, received_on=received,
                                channel=rng.choice(m.Channel.values), theme=theme, unit=rng.choice(units),
                                description=COMPLAINT_TEXTS[theme] if kind != "berom" else "Tack för ett gott bemötande.",
                                owner=ec)
            counts["klagomal"] = counts.get("klagomal", 0) + 1
            if kind == "berom":
                d = _after(rng, received, 0, 10, last)
                if d:
                    workflow.take_step(c, "avslutad", {"closed_on": d}, ec, c.version)
                continue
            d = _after(rng, received, 2, 25, last)
            if d:
                c = workflow.take_step(c, "besvarad", {"response_on": d, "response": "Svar skickat med förklaring "
                                                       "och information om vad enheten gör."}, ec, c.version)
                d2 = _after(rng, d, 0, 14, last)
                if d2:
                    workflow.take_step(c, "avslutad", {"closed_on": d2}, ec, c.version)
            if kind == "klagomal" and rng.random() < 0.3:
                actions_for.append(("complaints", c, received))

        for title, lik, con in RISKS[: 3 if light else len(RISKS)]:
            existing = m.Risk.objects.filter(title=title).first()
            if existing is not None:  # the register is continuous: review the risk again this year
                reviewed = _date(rng, start, min(last, dt.date(year, 3, 31))) or start
                services.update(existing, ku, existing.version, {"reviewed_on": reviewed}, action="omprövad")
                continue
            identified = _date(rng, start, min(last, dt.date(year, 3, 31))) or start
            risk = services.create(m.Risk, ku, title=title, likelihood=lik, consequence=con, identified_on=identified,
                                   owner=ec, status=m.RiskStatus.HANTERAS if lik * con >= 8 else m.RiskStatus.IDENTIFIERAD,
                                   process=docs.get("Barn och unga – från aktualisering till uppföljning"),
                                   description="Identifierad vid verksamhetens årliga riskanalys.")
            counts["risker"] = counts.get("risker", 0) + 1
            if risk.score >= 8:
                actions_for.append(("risks", risk, identified))

        findings = _rounds(rng, plan, year, ku, last, counts)
        actions_for += [("findings", f, f.round.period_end) for f in findings]

        for attr, obj, on in actions_for:
            _action(rng, attr, obj, on or start, ec, last, year, counts)

        _internal_control(rng, year, ku, ec, last, counts)
        _goals(year, ku, counts)
        _narrative(year, ku, counts, light)


def _documents(rng, year, ku, ec, units, counts):
    docs = {}
    for i, (kind, title, area) in enumerate(DOCUMENTS):
        doc = m.Document.objects.filter(title=title).first()
        if doc is None:
            decided = dt.date(year, 1, 1) - dt.timedelta(days=30 + 20 * i)
            unit = next((u for u in units if u.area == area), None) if area else None
            review = decided + dt.timedelta(days=365 if i % 5 else 300)
            doc = services.create(m.Document, ku, kind=kind, title=title, owner=ec if kind != "mall" else ku,
                                  unit=unit, doc_version="1.0", decision_ref=f"SN {decided.isoformat()} § {150 + i}",
                                  decided_on=decided, next_review=review, status=m.DocumentStatus.GALLANDE,
                                  description=f"{dict(m.DocumentKind.choices)[kind]} i ledningssystemet.")
            counts["styrdokument"] = counts.get("styrdokument", 0) + 1
        elif doc.next_review and doc.next_review <= dt.date(year, 12, 31) and i % 3 != 2:
            # Reviewed during the year: a new version decided by the committee.
            decided = max(doc.next_review, dt.date(year, 1, 1)) if doc.next_review >= dt.date(year, 1, 1) \
                else dt.date(year, 1 + i % 11, 10 + i)
            if decided <= timezone.localdate():
                major, minor = (doc.doc_version.split(".") + ["0"])[:2]
                doc = services.update(doc, ec, doc.version, {
                    "doc_version": f"{major}.{int(minor) + 1}", "decided_on": decided,
                    "decision_ref": f"SN {decided.isoformat()} § {40 + i}",
                    "next_review": decided + dt.timedelta(days=365)}, action="reviderad")
        docs[title] = doc
    return docs


def _self_inspection_plan(docs, ku, counts):
    plan = m.SelfInspectionPlan.objects.filter(title="Granskning av personakter").first()
    if plan is None:
        plan = services.create(m.SelfInspectionPlan, ku, title="Granskning av personakter",
                               method="Slumpmässigt urval av akter från barn och unga, vuxna och ekonomiskt bistånd; "
                                      "granskning mot rutinerna med checklista.",
                               frequency=m.Frequency.HALVAR, owner=ku, sample_per_group=5,
                               routine=docs.get("Riktlinjer för handläggning och dokumentation"))
        for pos, (text, routine) in enumerate(CHECKLIST, start=1):
            m.ChecklistItem.objects.create(plan=plan, position=pos, text=text, routine=docs.get(routine))
        counts["egenkontrollplaner"] = 1
    return plan


def _walk_deviation(rng, dev, ec, last):
    d = _after(rng, dev.reported_on, 3, 30, last)
    if not d:
        return dev
    dev = workflow.take_step(dev, "utredd", {"investigated_on": d, "owner": ec,
                                             "analysis": "Händelsen har gåtts igenom med berörd personal.",
                                             "cause": rng.choice(["Rutinen var okänd för nyanställd personal.",
                                                                  "Hög arbetsbelastning under perioden.",
                                                                  "Otydlig ansvarsfördelning mellan enheterna."])},
                             ec, dev.version)
    d = _after(rng, d, 1, 14, last)
    if not d:
        return dev
    dev = workflow.take_step(dev, "atgarder", {"actions_decided_on": d,
                                               "actions_summary": "Rutinen gås igenom på APT; introduktion kompletteras."},
                             ec, dev.version)
    d = _after(rng, d, 1, 14, last)
    if not d:
        return dev
    dev = workflow.take_step(dev, "aterkopplad", {"feedback_on": d, "feedback": "Återkoppling lämnad muntligt och skriftligt."},
                             ec, dev.version)
    d = _after(rng, d, 0, 20, last)
    if not d:
        return dev
    return workflow.take_step(dev, "avslutad", {"closed_on": d}, ec, dev.version)


def _walk_lex_sarah(rng, ls, ec, assessment, ivo, last):
    steps = [
        ("avhjalpt", "remedied_on", 0, 1, {"remedy": "Omedelbara åtgärder vidtogs för att undanröja risken.", "owner": ec}),
        ("utreds", "investigation_started_on", 0, 3, {}),
        ("bedomd", "assessed_on", 10, 40, {"investigation": "Utredningen omfattar samtal med personal och granskning "
                                                             "av dokumentation.", "assessment": assessment,
                                           "assessment_reasoning": "Bedömningen grundas på utredningens resultat."}),
    ]
    d = ls.reported_on
    for to, field, lo, hi, extra in steps:
        d = _after(rng, d, lo, hi, last)
        if not d:
            return ls
        ls = workflow.take_step(ls, to, {field: d, **extra}, ec, ls.version)
    if ls.requires_notification:
        d = _after(rng, d, 3, 13, last)
        if not d:
            return ls
        ls = workflow.take_step(ls, "anmald", {"notified_on": d, "ivo_reference": f"IVO {d.year}-{rng.randint(1000, 9999)}"},
                                ec, ls.version)
        d = _after(rng, d, 30, 90, last)
        if not d:
            return ls
        ls = workflow.take_step(ls, "ivo_beslut", {"ivo_decision_on": d, "ivo_decision": ivo}, ec, ls.version)
    d = _after(rng, d, 0, 10, last)
    if d:
        ls = workflow.take_step(ls, "avslutad", {"closed_on": d}, ec, ls.version)
    return ls


def _rounds(rng, plan, year, ku, last, counts):
    findings = []
    items = list(plan.items.all())
    for i, (ps, pe) in enumerate([(dt.date(year, 1, 1), dt.date(year, 6, 30)), (dt.date(year, 7, 1), dt.date(year, 12, 31))]):
        if pe > last:
            continue
        rnd = services.start_round(plan, ku, ps, pe, seed=year * 10 + i + 1)
        counts["egenkontroller"] = counts.get("egenkontroller", 0) + 1
        for s in rnd.sampled.select_related("case"):
            for item in items:
                answer = rng.choices(["ja", "nej", "ej_aktuellt"], weights=[80, 15, 5])[0]
                services.answer_item(s, item, answer, "" if answer != "nej" else "Saknas i akten.", ku)
        for item in rng.sample(items, 2):
            findings.append(services.create(m.Finding, ku, round=rnd, item=item,
                                            description=f"\"{item.text}\" uppfylldes inte i samtliga granskade akter."))
        services.update(rnd, ku, rnd.version, {"status": m.RoundStatus.KLAR, "completed_on": min(pe + dt.timedelta(days=30), last),
                                               "summary": "Granskningen visar god följsamhet med undantag för "
                                                          "genomförandeplaner som inte alltid är aktuella."},
                        action="avslutad")
    return findings


ACTION_TITLES = {
    "deviations": "Genomgång av rutinen på arbetsplatsträff",
    "lex_sarah": "Revidera rutinen och utbilda personalen",
    "complaints": "Förbättra telefontillgängligheten",
    "risks": "Veckovis bevakning i Akta och fördelning av ärenden",
    "findings": "Påminnelse och uppföljning vid ärendegenomgång",
}


def _action(rng, attr, obj, on, ec, last, year, counts):
    due = on + dt.timedelta(days=rng.randint(30, 150))
    status = m.ActionStatus.PLANERAD
    completed = None
    if due <= last and rng.random() < 0.8:
        status, completed = m.ActionStatus.GENOMFORD, min(due - dt.timedelta(days=rng.randint(0, 20)), last)
        completed = max(completed, on)
    elif on + dt.timedelta(days=10) <= last:
        status = m.ActionStatus.PAGAR
    services.create(m.Action, ec, title=ACTION_TITLES[attr], description="Åtgärd med anledning av "
                    f"{obj.number}.", owner=ec, due_date=due, status=status, completed_on=completed,
                    effect="Uppföljning visar att åtgärden har haft effekt." if completed else "",
                    **{attr: [obj]})
    counts["atgarder"] = counts.get("atgarder", 0) + 1


def _internal_control(rng, year, ku, ec, last, counts):
    if m.InternalControlPlan.objects.filter(year=year).exists():
        return
    adopted = dt.date(year - 1, 12, 14)
    plan = services.create(m.InternalControlPlan, ku, year=year, decision_ref=f"SN {adopted.isoformat()} § 168",
                           adopted_on=adopted)
    counts["internkontroll"] = 1
    for process, control, freq, method in CONTROL_POINTS:
        point = services.create(m.ControlPoint, ku, plan=plan, process=process, control=control, frequency=freq,
                                owner=ec, method=method, risk_score=rng.choice([6, 8, 9, 12]))
        for month in (2, 5, 9, 12) if "Fyra" in freq else (6, 12) if "Två" in freq else (3, 6, 9, 12):
            pe = dt.date(year, month, 28 if month == 2 else 30 if month in (6, 9) else 31)
            if pe > last:
                continue
            checked = rng.randint(20, 70)
            deviating = rng.randint(0, max(1, checked // 7))
            services.create(m.ControlResult, ku, point=point, period_end=pe, checked=checked, deviating=deviating,
                            outcome=m.ControlOutcome.UTAN_ANMARKNING if deviating == 0 else m.ControlOutcome.MED_ANMARKNING,
                            result=f"{checked - deviating} av {checked} uppfyllde kravet; {deviating} avvek.",
                            reported_to_committee=f"SN {pe.year}-{pe.month:02d} § {20 + month}" if pe < last else "")


def _goals(year, ku, counts):
    goals = [
        ("Barnutredningar avslutas inom fyra månader", "Minst 90 % av utredningarna", "uppnatt"),
        ("Förhandsbedömningar inom 14 dagar", "Minst 95 %", "delvis"),
        ("Alla avvikelser återkopplas till rapportören", "100 %", "uppnatt"),
        ("Klientnöjdhet: bemötande", "Minst 90 % nöjda i brukarundersökningen", "ej_bedomt"),
    ]
    for title, target, status in goals:
        services.create(m.Goal, ku, year=year, title=title, target=target, status=status,
                        result="Se statistikavsnittet." if status != "ej_bedomt" else "")
        counts["mal"] = counts.get("mal", 0) + 1


NARRATIVE = {
    "organisation": "Individ- och familjeomsorgen består av enheterna för barn och unga, vuxna och ekonomiskt "
                    "bistånd samt familjerätt. Varje enhet leds av en enhetschef.",
    "ledningssystem": "Ledningssystemet omfattar processer, rutiner, riktlinjer och mallar med ägare och datum för "
                      "översyn. Under året har rutinerna för lex Sarah och avvikelsehantering reviderats.",
    "egenkontroll": "Egenkontrollen har genomförts två gånger genom slumpmässigt urval av personakter från tre "
                    "områden. Följsamheten är god; genomförandeplaner är inte alltid aktuella.",
    "avvikelser": "Flest avvikelser gäller handläggning och dokumentation. Alla avslutade avvikelser har "
                  "återkopplats till rapportören.",
    "lex_sarah": "Rapporterna har utretts skyndsamt. Två ärenden har anmälts till IVO.",
    "klagomal": "Klagomålen handlar främst om tillgänglighet per telefon och handläggningstid.",
    "riskanalys": "Riskanalysen har gjorts vid årets början och följts upp halvårsvis.",
    "internkontroll": "Internkontrollplanens kontrollmoment har följts upp enligt plan och rapporterats till nämnden.",
    "statistik": "Statistiken är hämtad ur Aktas uppföljning och avser hela året.",
    "mal": "De flesta mål är helt eller delvis uppnådda.",
    "forbattringsplan": "Under nästa år prioriteras tillgänglighet, genomförandeplaner och introduktion av "
                        "nyanställda.",
}


def _narrative(year, ku, counts, light):
    if light:
        return
    for key, text in NARRATIVE.items():
        if not m.ReportSection.objects.filter(year=year, key=key).exists():
            services.create(m.ReportSection, ku, year=year, key=key, text=text)
