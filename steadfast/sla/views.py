"""The SLA report in the admin (/admin/sla/): per provider for a month, each against the contract uptime staff entered
on the provider (Provider.sla_target_pct), as a page, CSV or PDF for a penalty claim."""

import csv

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from steadfast.accounting.export import cell_safe
from steadfast.sla.pdf import sla_pdf
from steadfast.sla.report import incident_public_url, month_bounds, providers_sla


@staff_member_required
def sla_report(request):
    month = request.GET.get("month") or timezone.localdate().strftime("%Y-%m")
    errors = []
    try:
        month_bounds(month)
    except ValueError:
        errors.append(_("Enter the month as YYYY-MM, e.g. 2026-11."))
        month = timezone.localdate().strftime("%Y-%m")
    report = providers_sla(month)
    if request.GET.get("format") == "csv" and not errors:
        return _csv(report, month)
    if request.GET.get("format") == "pdf" and not errors:
        response = HttpResponse(sla_pdf(report, month), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="sla-{month}.pdf"'
        return response
    context = {**admin.site.each_context(request), "title": _("SLA report"), "month": month, "report": report,
               "errors": errors, "has_windows": any(row.windows for row in report)}
    return render(request, "admin/steadfast/sla_report.html", context)


def _when(value) -> str:
    return timezone.localtime(value).isoformat() if value else ""


def _csv(report, month):
    """Two tables in one file: the month per provider, then every downtime window with its evidence. Times are
    ISO 8601 in the shop's zone (the offset is in each value)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="sla-{month}.csv"'
    writer = _SafeWriter(csv.writer(response))
    writer.writerow(["month", "provider", "kind", "uptime_pct", "target_pct", "downtime_minutes", "budget_minutes",
                     "budget_left_minutes", "calls", "failed_calls", "error_rate_pct"])
    for row in report:
        writer.writerow([month, row.provider.code, row.provider.kind, row.uptime_pct, row.target_pct,
                         row.downtime_minutes, row.budget_minutes, row.budget_left_minutes, row.calls, row.failures,
                         row.error_rate_pct])
    writer.writerow([])
    writer.writerow(["provider", "out_from", "back_at", "minutes", "calls_in_window", "failed_calls_in_window",
                     "first_failed_call", "last_failed_call", "reason", "incident_id", "incident_title",
                     "incident_url"])
    for row in report:
        for w in row.windows:
            incident = w["incident"]
            writer.writerow([row.provider.code, _when(w["start"]), _when(w["end"]) or "ongoing", w["minutes"],
                             w["calls"], w["failures"], _when(w["first_failure"]), _when(w["last_failure"]),
                             w["reason"], incident.pk if incident else "", incident.title if incident else "",
                             incident_public_url(incident) if incident else ""])
    return response


class _SafeWriter:
    """A reason or an incident title comes from outside (a provider's error text, staff): no cell may start a
    spreadsheet formula (accounting.export.cell_safe)."""

    def __init__(self, writer):
        self.writer = writer

    def writerow(self, row):
        self.writer.writerow([cell_safe(v) if isinstance(v, str) else v for v in row])
