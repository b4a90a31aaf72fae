"""The SLA report in the admin (/admin/sla/): per provider for a month, as a page, CSV or PDF for a penalty claim."""

import csv

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from steadfast.sla.pdf import sla_pdf
from steadfast.sla.report import month_bounds, providers_sla


@staff_member_required
def sla_report(request):
    month = request.GET.get("month") or timezone.localdate().strftime("%Y-%m")
    errors = []
    try:
        month_bounds(month)
    except ValueError:
        errors.append(_("Enter the month as YYYY-MM, e.g. 2026-11."))
        month = timezone.localdate().strftime("%Y-%m")
    try:
        target = float(request.GET.get("target") or "99.9")
        if not 0 <= target <= 100:
            raise ValueError
    except ValueError:
        errors.append(_("Enter the contract uptime as a percentage between 0 and 100, e.g. 99.9."))
        target = 99.9
    report = providers_sla(month, target)
    if request.GET.get("format") == "csv" and not errors:
        return _csv(report, month, target)
    if request.GET.get("format") == "pdf" and not errors:
        response = HttpResponse(sla_pdf(report, month, target), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="sla-{month}.pdf"'
        return response
    context = {**admin.site.each_context(request), "title": _("SLA report"), "month": month, "target": target,
               "report": report, "errors": errors}
    return render(request, "admin/steadfast/sla_report.html", context)


def _csv(report, month, target):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="sla-{month}.csv"'
    writer = csv.writer(response)
    writer.writerow(["month", "provider", "kind", "uptime_pct", "target_pct", "downtime_minutes", "budget_minutes",
                     "budget_left_minutes", "calls", "failed_calls", "error_rate_pct"])
    for row in report:
        writer.writerow([month, row.provider.code, row.provider.kind, row.uptime_pct, target, row.downtime_minutes,
                         row.budget_minutes, row.budget_left_minutes, row.calls, row.failures, row.error_rate_pct])
    writer.writerow([])
    writer.writerow(["provider", "out_from", "back_at", "minutes", "failed_calls_in_window", "reason"])
    for row in report:
        for w in row.windows:
            writer.writerow([row.provider.code, w["start"].isoformat(), w["end"].isoformat() if w["end"] else "ongoing",
                             w["minutes"], w["failures"], w["reason"]])
    return response
