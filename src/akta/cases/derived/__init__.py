"""Derived facts of the case history: each defined once, with its SQL form and its Python
reference side by side. Every consumer (pages, API, exports, deadline rules, the EVB report,
the indicators, the committee pack and the quality reports) reads these and nothing else.

==========================  ============================================  =====================
fact                        Python reference                              SQL form
==========================  ============================================  =====================
effective events            :func:`.events.effective_events`              :func:`.events.effective_events_sql`
case closed on a day        :func:`.status.closed_on`                     :func:`.status.closed_cases_sql`
decision clocks (waiting,   :func:`.decisions.decision_clocks`            :func:`.decisions.clocks_sql`
since when, resolved how)
pending förhandsbedömning   :func:`.state.pending_assessments`            :func:`.state.pending_assessment` (ORM)
open investigation and its  :func:`.state.open_investigations`,           :func:`.state.open_investigation` (ORM),
extension                   :func:`.state.extended_until`                 :func:`.state.open_investigations_sql`,
                                                                          :func:`.state.extension_until` (ORM),
                                                                          :func:`.state.extended_until_sql`
intervention in force,      :func:`.state.interventions_in_force`,        :func:`.state.intervention_in_force` (ORM),
active or interrupted       :func:`.state.decision_states`                :func:`.decisions.clocks_sql`
caseworker on a day,        :func:`.assignment.assignment`,               :func:`.assignment.unassigned_sql`
waiting since               :func:`.assignment.waiting_since`
the state of one case       :func:`.state.case_state`                     –
==========================  ============================================  =====================

The decisions taken at the edges, with their legal reasons, are in ``README.md`` beside this
file; ``cases/tests/test_derived.py`` runs a catalogue of edge histories through every consumer.
"""
