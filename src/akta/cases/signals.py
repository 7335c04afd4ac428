"""Signals of the case history for the components above it."""
from django.dispatch import Signal

# Sent by the culling (akta.records.services) inside its transaction, before the culled cases
# are deleted, with ``cases`` = {case pk: case id} and ``run`` = the gallringsbeslut's number.
# Components that link to cases (akta.quality) keep what they need of them; the link itself
# is SET_NULL by the delete.
cases_culled = Signal()
