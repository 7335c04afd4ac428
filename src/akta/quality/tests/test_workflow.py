"""The workflows read as specifications: no skipped steps, no dates out of order, full history."""
import datetime as dt

import pytest

from akta.quality import models as m
from akta.quality import services, workflow


def deviation(user, unit, day, **kw):
    fields = dict(category="handlaggning", event_date=day(0), reported_on=day(1), unit=unit,
                  description="Beslut utan underrättelse.", reporter=user)
    fields.update(kw)
    return services.create(m.Deviation, user, **fields)


def test_deviation_goes_through_every_step(bou_user, chief, unit, day):
    dev = deviation(bou_user, unit, day)
    assert dev.number == "AV-2024-0001" and dev.status == "rapporterad" and dev.version == 1
    dev = workflow.take_step(dev, "utredd", {"investigated_on": "2024-01-10", "analysis": "A", "cause": "C",
                                             "owner": chief}, chief, dev.version)
    dev = workflow.take_step(dev, "atgarder", {"actions_decided_on": day(12), "actions_summary": "APT"}, chief, dev.version)
    dev = workflow.take_step(dev, "aterkopplad", {"feedback_on": day(13), "feedback": "Klart"}, chief, dev.version)
    dev = workflow.take_step(dev, "avslutad", {"closed_on": day(14)}, chief, dev.version)
    assert dev.status == "avslutad" and dev.version == 5
    actions = [h.action for h in dev.history()]
    assert actions[0] == "skapad" and len(actions) == 5
    assert dev.history().last().change["status"] == ["aterkopplad", "avslutad"]


def test_deviation_refuses_a_skipped_step(bou_user, chief, unit, day):
    dev = deviation(bou_user, unit, day)
    with pytest.raises(services.QualityError) as e:
        workflow.take_step(dev, "avslutad", {"closed_on": day(5)}, chief, dev.version)
    assert "nästa möjliga steg: utredd" in str(e.value)
    with pytest.raises(services.QualityError):
        workflow.take_step(dev, "atgarder", {"actions_decided_on": day(5), "actions_summary": "x"}, chief, dev.version)
    dev.refresh_from_db()
    assert dev.status == "rapporterad" and dev.version == 1


def test_deviation_refuses_a_date_before_the_previous_step(bou_user, chief, unit, day):
    dev = deviation(bou_user, unit, day)
    with pytest.raises(services.QualityError) as e:
        workflow.take_step(dev, "utredd", {"investigated_on": day(0), "analysis": "A", "cause": "C"}, chief, dev.version)
    assert "före rapporterad" in str(e.value)
    assert m.Deviation.objects.get(pk=dev.pk).status == "rapporterad"


def test_deviation_refuses_report_before_event_and_future_dates(bou_user, unit, day):
    with pytest.raises(services.QualityError) as e:
        deviation(bou_user, unit, day, event_date=day(5), reported_on=day(2))
    assert "reported_on" in e.value.errors
    future = dt.date.today() + dt.timedelta(days=3)
    with pytest.raises(services.QualityError) as e:
        deviation(bou_user, unit, day, event_date=day(0), reported_on=future)
    assert "framtiden" in str(e.value)
    assert not m.Deviation.objects.exists()


def test_a_step_requires_its_fields(bou_user, chief, unit, day):
    dev = deviation(bou_user, unit, day)
    with pytest.raises(services.QualityError) as e:
        workflow.take_step(dev, "utredd", {"investigated_on": day(3), "analysis": "  "}, chief, dev.version)
    assert set(e.value.errors) == {"analysis", "cause"}
    with pytest.raises(services.QualityError) as e:
        workflow.take_step(dev, "utredd", {"investigated_on": "3 jan", "analysis": "a", "cause": "c"}, chief, dev.version)
    assert "ÅÅÅÅ-MM-DD" in e.value.errors["investigated_on"]


def test_stale_version_is_a_conflict_and_nothing_is_overwritten(bou_user, chief, unit, day):
    dev = deviation(bou_user, unit, day)
    services.update(dev, chief, 1, {"description": "Första ändringen"})
    with pytest.raises(services.Conflict):
        services.update(dev, chief, 1, {"description": "Andra ändringen, från en gammal sida"})
    with pytest.raises(services.Conflict):
        workflow.take_step(dev, "utredd", {"investigated_on": day(3), "analysis": "a", "cause": "c"}, chief, 1)
    dev.refresh_from_db()
    assert dev.description == "Första ändringen" and dev.version == 2
    change = dev.history().last().change
    assert change == {"description": ["Beslut utan underrättelse.", "Första ändringen"]}


def test_history_is_append_only(bou_user, unit, day):
    dev = deviation(bou_user, unit, day)
    h = dev.history().first()
    with pytest.raises(PermissionError):
        h.save()
    with pytest.raises(PermissionError):
        h.delete()


def test_editing_an_event_date_after_a_later_step_is_refused(bou_user, chief, unit, day):
    dev = deviation(bou_user, unit, day)
    dev = workflow.take_step(dev, "utredd", {"investigated_on": day(3), "analysis": "a", "cause": "c"}, chief, dev.version)
    with pytest.raises(services.QualityError):
        services.update(dev, chief, dev.version, {"reported_on": day(4), "event_date": day(4)})


def lex_sarah(user, unit, day):
    return services.create(m.LexSarah, user, event_date=day(0), reported_on=day(2), unit=unit,
                           description="Orosanmälan blev liggande.", reporter=user)


def to_assessment(ls, chief, day, assessment):
    ls = workflow.take_step(ls, "avhjalpt", {"remedied_on": day(2), "remedy": "Skyddsbedömning gjordes."}, chief, ls.version)
    ls = workflow.take_step(ls, "utreds", {"investigation_started_on": day(3)}, chief, ls.version)
    return workflow.take_step(ls, "bedomd", {"assessed_on": day(20), "investigation": "Samtal och granskning.",
                                             "assessment": assessment, "assessment_reasoning": "Motivering."},
                              chief, ls.version)


def test_lex_sarah_serious_must_be_notified_before_closing(bou_user, chief, unit, day):
    ls = to_assessment(lex_sarah(bou_user, unit, day), chief, day, "allvarligt")
    assert [s.to for s in workflow.next_steps(ls)] == ["anmald"]
    with pytest.raises(services.QualityError):
        workflow.take_step(ls, "avslutad", {"closed_on": day(21)}, chief, ls.version)
    assert ls.notification_due == day(34)  # two weeks after the assessment (data: rules.toml)
    ls = workflow.take_step(ls, "anmald", {"notified_on": day(25)}, chief, ls.version)
    ls = workflow.take_step(ls, "ivo_beslut", {"ivo_decision_on": day(60), "ivo_decision": "Avslutat."}, chief, ls.version)
    ls = workflow.take_step(ls, "avslutad", {"closed_on": day(61)}, chief, ls.version)
    assert (ls.days_event_to_report, ls.days_report_to_assessment, ls.days_assessment_to_notification) == (2, 18, 5)


def test_lex_sarah_without_missforhallande_closes_without_ivo(bou_user, chief, unit, day):
    ls = to_assessment(lex_sarah(bou_user, unit, day), chief, day, "inget")
    assert [s.to for s in workflow.next_steps(ls)] == ["avslutad"]
    with pytest.raises(services.QualityError):
        workflow.take_step(ls, "anmald", {"notified_on": day(21)}, chief, ls.version)
    ls = workflow.take_step(ls, "avslutad", {"closed_on": day(21)}, chief, ls.version)
    assert ls.notification_due is None


def test_lex_sarah_refuses_skipping_the_remedy_and_bad_assessment(bou_user, chief, unit, day):
    ls = lex_sarah(bou_user, unit, day)
    with pytest.raises(services.QualityError):
        workflow.take_step(ls, "utreds", {"investigation_started_on": day(3)}, chief, ls.version)
    ls = workflow.take_step(ls, "avhjalpt", {"remedied_on": day(2), "remedy": "r"}, chief, ls.version)
    ls = workflow.take_step(ls, "utreds", {"investigation_started_on": day(3)}, chief, ls.version)
    with pytest.raises(services.QualityError) as e:
        workflow.take_step(ls, "bedomd", {"assessed_on": day(9), "investigation": "u", "assessment": "kanske",
                                          "assessment_reasoning": "m"}, chief, ls.version)
    assert "assessment" in e.value.errors
    with pytest.raises(services.QualityError):
        workflow.take_step(ls, "bedomd", {"assessed_on": day(1), "investigation": "u", "assessment": "inget",
                                          "assessment_reasoning": "m"}, chief, ls.version)


def test_lex_sarah_notification_rule_is_data_with_citation():
    """The quality component's law lives in the one law store (akta/law/data), read through
    akta.law.services."""
    from akta.law import services as law
    from akta.quality.models import IVO_NOTIFICATION_RULE, ivo_notification_rule_text

    assert law.due(IVO_NOTIFICATION_RULE, dt.date(2024, 3, 1)) == dt.date(2024, 3, 15)
    assert "SOSFS 2011:5" in ivo_notification_rule_text(dt.date(2024, 3, 1))
    assert law.reference("sol.14.7", dt.date(2025, 6, 30)) == "14 kap. 7 § SoL (2001:453)"
    assert law.reference("sol.14.7", dt.date(2025, 7, 1)).startswith("motsvarande bestämmelse i SoL (2025:400)")
    assert law.reference("kl.6.6", dt.date(2024, 1, 1)) == "6 kap. 6 § kommunallagen (2017:725)"
    with pytest.raises(ImportError):
        __import__("akta.quality.law")


def test_complaint_praise_may_close_without_answer_but_a_complaint_may_not(ku, day):
    praise = services.create(m.Complaint, ku, kind="berom", received_on=day(0), channel="epost", theme="bemotande",
                             description="Tack!")
    workflow.take_step(praise, "avslutad", {"closed_on": day(1)}, ku, praise.version)
    complaint = services.create(m.Complaint, ku, kind="klagomal", received_on=day(0), channel="telefon",
                                theme="tillganglighet", description="Svårt att nå.")
    with pytest.raises(services.QualityError):
        workflow.take_step(complaint, "avslutad", {"closed_on": day(1)}, ku, complaint.version)
    complaint = workflow.take_step(complaint, "besvarad", {"response_on": day(4), "response": "Svar."}, ku, complaint.version)
    assert complaint.response_on == day(4)


def test_risk_score_and_bounds(ku, day):
    risk = services.create(m.Risk, ku, title="R", likelihood=3, consequence=4, identified_on=day(0), owner=ku)
    assert (risk.score, risk.level) == (12, "mycket hög")
    with pytest.raises(services.QualityError):
        services.create(m.Risk, ku, title="R", likelihood=5, consequence=1, identified_on=day(0), owner=ku)


def test_duplicate_internal_control_plan_is_refused_with_a_message(ku):
    services.create(m.InternalControlPlan, ku, year=2024)
    with pytest.raises(services.QualityError) as e:
        services.create(m.InternalControlPlan, ku, year=2024)
    assert "year" in e.value.errors
