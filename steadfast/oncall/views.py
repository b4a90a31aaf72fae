"""The acknowledge page an alert's link opens. GET only shows the alert and a button (chat apps and mail scanners
open links to preview them: a GET must change nothing); the POST acknowledges, once, and only a page still
paging (a resolved page or one for information says there is nothing to take). A link that is not ours (forged or
altered token, unknown page) gets a plain 403/404 page and changes nothing."""

from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from steadfast.notify.render import kind_render
from steadfast.oncall.links import EVERYONE, ack_token_valid
from steadfast.oncall.models import AlertPage, OnCallPerson
from steadfast.oncall.pages import page_acknowledge


@require_http_methods(["GET", "POST"])
def acknowledge(request, page_id: int, who: str, token: str):
    page = AlertPage.objects.filter(pk=page_id).first()
    if page is None:
        return _invalid(request, 404, _("This alert does not exist (any more)."))
    person = OnCallPerson.objects.filter(pk=int(who)).first() if who.isdigit() else None
    if not ack_token_valid(page_id, who, token) or (who != EVERYONE and person is None):
        return _invalid(request, 403, _("This acknowledge link is not valid: it was changed or not made by this "
                                        "shop. Open the link from the alert message as it is, or acknowledge the "
                                        "alert in the admin."))
    user = request.user if request.user.is_authenticated and request.user.is_staff else None
    error = ""
    if request.method == "POST":
        name = person.name if person else (user.get_full_name() or user.get_username()) if user else \
            request.POST.get("name", "").strip()[:150]
        if name:
            page_acknowledge(page, who=name, person=person, user=user)
            return redirect(request.path)
        error = _("Enter your name, so the others know who took it.")
    return render(request, "oncall/acknowledge.html", {
        "title": _("Staff alert"), "page": page, "person": person, "error": error, "details": _details(page),
        "ask_name": person is None and user is None, "paged": _paged(page)})


def _invalid(request, status, text):
    return render(request, "oncall/acknowledge_invalid.html", {"title": _("Acknowledge link"), "text": text},
                  status=status)


def _details(page) -> str:
    try:
        return kind_render(page.kind, "email", {"payload": page.payload, "order": None},
                           page.payload.get("language") or "en").text.strip()
    except TemplateDoesNotExist:
        return ""


def _paged(page) -> list[str]:
    return [event.note for event in page.events.filter(action__in=("paged", "escalated", "everyone"))]
