"""The admin page where the bookkeeper downloads orders for a date range as CSV or XLSX."""

from datetime import timedelta

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from steadfast.accounting.export import export_csv, export_xlsx, orders_in_range

MAX_DAYS = 366
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ExportForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To (inclusive)"), widget=forms.DateInput(attrs={"type": "date"}))
    format = forms.ChoiceField(label=_("Format"), choices=(("csv", "CSV"), ("xlsx", "Excel (XLSX)")),
                               widget=forms.RadioSelect, initial="xlsx")

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            raise forms.ValidationError(_("The end date is before the start date."))
        if start and end and (end - start).days >= MAX_DAYS:
            raise forms.ValidationError(_("Export at most a year at a time."))
        return data


def export_view(request):
    if not request.user.has_perm("orders.view_order"):
        raise PermissionDenied
    today = timezone.localdate()
    form = ExportForm(request.GET or None, initial={"start": today.replace(day=1), "end": today})
    if form.is_bound and form.is_valid():
        start, end, kind = form.cleaned_data["start"], form.cleaned_data["end"], form.cleaned_data["format"]
        orders = orders_in_range(start, end)
        body, content_type = (export_xlsx(orders), XLSX) if kind == "xlsx" else (export_csv(orders), "text/csv")
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="orders-{start}-{end}.{kind}"'
        return response
    context = {**admin.site.each_context(request), "title": _("Export orders"), "form": form,
               "yesterday": today - timedelta(days=1)}
    return TemplateResponse(request, "admin/accounting/export.html", context)
