"""The watcher's SLA report as a PDF for a penalty claim against the host: the same figures, windows and evidence as
the CSV. reportlab is optional for the watcher (watch/requirements-pdf.txt): without it the CSV and HTML reports still
work and asking for the PDF says how to install it."""

import io
from datetime import UTC, datetime
from html import escape
from pathlib import Path

from watch.sla import incident_label, page_label

INSTALL = "pip install --require-hashes -r watch/requirements-pdf.txt"
# Helvetica has no Cyrillic or Polish letters beyond Latin-1 (a problem text, a person's name): DejaVu where present.
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")


class PdfUnavailable(RuntimeError):
    """reportlab is not installed on the watcher's host."""


def report_pdf(report: list[dict], month: str, shop_url: str) -> bytes:
    try:
        from reportlab.lib import colors
        from reportlab.lib.pagesizes import A4, landscape
        from reportlab.lib.styles import getSampleStyleSheet
        from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
    except ImportError:
        raise PdfUnavailable(f"The PDF report needs reportlab, which is not installed on this watcher: {INSTALL} "
                             "(the CSV and HTML reports work without it).") from None
    regular, bold = pdf_fonts()
    styles = getSampleStyleSheet()
    for name in ("Title", "Heading2"):
        styles[name].fontName = bold
    styles["Normal"].fontName = regular
    cell = styles["BodyText"].clone("cell", fontName=regular, fontSize=8, leading=10)
    head = cell.clone("head", fontName=bold)

    def paragraphs(texts, style=cell):
        return [Paragraph(escape(str(text)), style) for text in texts]

    target = report[0]["target_pct"] if report else ""
    story = [Paragraph(f"Availability report {escape(month)}", styles["Title"]),
             Paragraph(f"{escape(shop_url)} as seen by steadfast-watch from another host. Contract uptime: {target}%. "
                       f"Times in UTC. Generated {datetime.now(UTC).isoformat()[:19]}.", styles["Normal"]),
             Spacer(0, 12)]
    grid = TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                       ("FONTNAME", (0, 0), (-1, -1), regular), ("FONTSIZE", (0, 0), (-1, -1), 8),
                       ("VALIGN", (0, 0), (-1, -1), "TOP")])
    summary = [paragraphs(("Component", "Uptime %", "Contract %", "Downtime, min", "Error budget, min",
                           "Budget left, min", "Checks", "Failed checks", "Error rate %"), head)]
    summary += [[Paragraph(escape(c["component"]), cell), c["uptime_pct"], c["target_pct"], c["downtime_minutes"],
                 c["budget_minutes"], c["budget_left_minutes"], c["checks"], c["failed_checks"], c["error_rate_pct"]]
                for c in report]
    story += [Table(summary, style=grid, repeatRows=1, colWidths=[142] + [80] * 8), Spacer(0, 12),
              Paragraph("Downtime windows", styles["Heading2"])]
    windows = [paragraphs(("Component", "Down from (first failed check)", "Last failed check",
                           "Back at (first good check)", "Minutes", "Failed checks", "Problem seen", "Watcher page",
                           "Shop incident"), head)]
    for c in report:
        for w in c["windows"]:
            windows.append([Paragraph(escape(c["component"]), cell), _when(w["start"]), _when(w["last_failed"]),
                            _when(w["end"]) if w["end"] else "ongoing", w["minutes"], w["checks"],
                            Paragraph(escape(w["problem"]) or "—", cell),
                            Paragraph("<br/>".join(escape(page_label(p)) for p in w["pages"]) or "—", cell),
                            Paragraph("<br/>".join(escape(incident_label(i)) for i in w["incidents"]) or "—", cell)])
    if len(windows) == 1:
        story.append(Paragraph("No downtime recorded this month.", styles["Normal"]))
    else:  # a time (19 characters) fits its column on one line
        story.append(Table(windows, style=grid, repeatRows=1, colWidths=[82, 98, 98, 98, 52, 44, 104, 96, 110]))
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=landscape(A4), leftMargin=30, rightMargin=30, pageCompression=1,
                      title=f"Availability report {month}", author="steadfast-watch").build(story)
    return buffer.getvalue()


def _when(value: str) -> str:
    return value[:19].replace("T", " ")


def pdf_fonts() -> tuple[str, str]:
    """(regular, bold) font names for reportlab; the shop's SLA PDF uses it too."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if not (DEJAVU / "DejaVuSans.ttf").exists() or not (DEJAVU / "DejaVuSans-Bold.ttf").exists():
        return "Helvetica", "Helvetica-Bold"
    if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVuSans", str(DEJAVU / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(DEJAVU / "DejaVuSans-Bold.ttf")))
    return "DejaVuSans", "DejaVuSans-Bold"
