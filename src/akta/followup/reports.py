"""Saving a report and checking a re-run against it.

A report is computed from everything recorded up to the moment it is saved (or up to a given
``as_reported`` moment). Re-running it *as reported* (rows recorded by then) must give the same
content hash; re-running it *as corrected* (every row, including corrections and backdated
entries recorded later) shows whether the numbers have since changed, and which cells.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

from akta.followup.engine import Table
from akta.followup.models import SavedReport
from akta.followup.reconcile import compare_records
from akta.followup.services import compute_normalized, normalize_params


def save_report(user, indicator_id, params: dict, mask=None, title="") -> SavedReport:
    """Compute and save. ``params`` as for :func:`akta.followup.services.compute` (``area``: the
    area scope, stored in the parameters and part of the content hash)."""
    now = timezone.now()
    norm = normalize_params(indicator_id, params.get("year"), params.get("from"), params.get("to"),
                            params.get("as_of"), params.get("as_reported"), params.get("area"))
    if "as_reported" not in norm:
        norm["as_reported"] = now.isoformat()
    table = compute_normalized(indicator_id, norm, mask=mask)
    return SavedReport.objects.create(
        indicator=indicator_id, title=title or table.indicator.title, parameters=table.params,
        as_reported_at=norm["as_reported"], content=table.as_dict(), content_hash=table.content_hash,
        created_by=user if getattr(user, "pk", None) else None, created_at=now,
    )


@dataclass
class Verification:
    report: SavedReport
    as_reported: Table
    as_corrected: Table
    reported_matches: bool
    corrected_matches: bool
    corrected_differences: list = field(default_factory=list)
    reported_differences: list = field(default_factory=list)


def _rerun(report, as_reported):
    params = {k: v for k, v in report.parameters.items() if k not in ("mask", "as_reported")}
    if as_reported:
        params["as_reported"] = report.parameters.get("as_reported") or report.as_reported_at.isoformat()
    return compute_normalized(report.indicator, params, mask=report.parameters.get("mask"))


def verify(report: SavedReport) -> Verification:
    rep = _rerun(report, True)
    cor = _rerun(report, False)
    saved_records = [dict(zip(report.content["columns"], r)) for r in report.content["rows"]]
    v = Verification(report, rep, cor, rep.content_hash == report.content_hash, cor.content_hash == report.content_hash)
    if not v.reported_matches:
        v.reported_differences = compare_records(rep.indicator, saved_records, rep).differences
    if not v.corrected_matches:
        v.corrected_differences = compare_records(cor.indicator, saved_records, cor).differences
    return v
