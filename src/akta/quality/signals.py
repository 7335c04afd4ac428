"""The quality registers when a case they refer to is culled (SoL 12 kap. 1 §, akta.records): a
deviation or lex Sarah report keeps the case's id in ``culled_case_ref`` and a history entry
"ärendet gallrat" with the gallringsbeslut's number; the link is set to NULL by the delete. An
egenkontroll sample already holds the case id (``SampledCase.case_ref``)."""
from django.dispatch import receiver

from akta.cases.signals import cases_culled


@receiver(cases_culled)
def keep_culled_case_refs(sender, cases, run, **kwargs):
    from akta.quality.models import Deviation, LexSarah
    from akta.quality.services import record

    for model in (Deviation, LexSarah):
        for obj in model.objects.filter(case_id__in=list(cases)):
            ref = cases[obj.case_id]
            model.objects.filter(pk=obj.pk).update(culled_case_ref=ref)
            record(obj, None, "ärendet gallrat", {"gallringsbeslut": [None, run]})
