"""The SLA report as a PDF for a penalty claim: the same figures, windows and evidence as the CSV, times in the
shop's zone."""

import io
from html import escape  # Paragraph reads its text as markup: a '&' or '<' in a name must stay text

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from steadfast.sla.report import incident_public_url
from watch.sla_pdf import pdf_fonts  # DejaVu where the host has it: Helvetica has no Cyrillic

GRID = TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                   ("FONTSIZE", (0, 0), (-1, -1), 8), ("VALIGN", (0, 0), (-1, -1), "TOP")])


def _when(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else "—"


def _incident(incident, cell):
    if incident is None:
        return "—"
    url = escape(incident_public_url(incident))
    return Paragraph(f'#{incident.pk} {escape(incident.title)}<br/><link href="{url}">{url}</link>', cell)


def sla_pdf(report, month) -> bytes:
    styles, (regular, bold) = getSampleStyleSheet(), pdf_fonts()
    for name in ("Title", "Heading2"):
        styles[name].fontName = bold
    for name in ("Normal", "BodyText"):
        styles[name].fontName = regular
    zone = timezone.get_current_timezone_name()
    cell = styles["BodyText"].clone("cell", fontSize=8, leading=10)
    head = cell.clone("head", fontName=bold)  # translated headings are long (pl, ru): they wrap

    def heading(*titles):
        return [Paragraph(title, head) for title in titles]

    story = [Paragraph(_("SLA report — %(shop)s") % {"shop": escape(settings.SHOP_NAME)}, styles["Title"]),
             Paragraph(_("Month: %(month)s. Each provider is measured against the uptime in its contract (column "
                         "“Contract %%”). Times in %(zone)s.") % {"month": month, "zone": zone}, styles["Normal"]),
             Spacer(0, 12)]
    summary = [heading(_("Provider"), _("Kind"), _("Uptime %"), _("Contract %"), _("Downtime, min"),
                       _("Error budget, min"), _("Budget left, min"), _("Calls"), _("Failed calls"), _("Error rate %"))]
    summary += [[Paragraph(escape(f"{row.provider.name} ({row.provider.code})"), cell), row.provider.kind,
                 row.uptime_pct, row.target_pct, row.downtime_minutes, row.budget_minutes, row.budget_left_minutes,
                 row.calls, row.failures, row.error_rate_pct] for row in report]
    grid = TableStyle(GRID.getCommands() + [("FONTNAME", (0, 0), (-1, -1), regular),
                                            ("FONTNAME", (0, 0), (-1, 0), bold)])
    story += [Table(summary, style=grid, repeatRows=1, colWidths=[142, 60] + [72] * 8), Spacer(0, 12),
              Paragraph(_("Downtime windows"), styles["Heading2"])]
    windows = [heading(_("Provider"), _("Out from"), _("Back at"), _("Minutes"), _("Calls"), _("Failed calls"),
                       _("First failed call"), _("Last failed call"), _("Reason"), _("Incident"))]
    for row in report:
        for w in row.windows:
            windows.append([row.provider.code, _when(w["start"]), _when(w["end"]) if w["end"] else _("ongoing"),
                            w["minutes"], w["calls"], w["failures"], _when(w["first_failure"]),
                            _when(w["last_failure"]), Paragraph(escape(w["reason"]) or "—", cell),
                            _incident(w["incident"], cell)])
    if len(windows) == 1:
        story.append(Paragraph(_("No downtime recorded this month."), styles["Normal"]))
    else:
        story.append(Table(windows, style=grid, repeatRows=1,
                           colWidths=[58, 98, 98, 52, 36, 40, 98, 98, 96, 108]))  # a time fits on one line
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=landscape(A4), leftMargin=30, rightMargin=30, pageCompression=1,
                            title=_("SLA report %(month)s") % {"month": month}, author=settings.SHOP_NAME)
    doc.build(story)
    return buffer.getvalue()
