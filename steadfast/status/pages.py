"""Public status page, its JSON and feed, the emergency contacts page and banner dismissal."""

import hashlib
import json

from django.conf import settings
from django.db import DatabaseError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_POST

from steadfast.providers.store import STORE_ERRORS
from steadfast.status.banner import DISMISS_SESSION_KEY, banner_for, contacts_context, contacts_for
from steadfast.status.feeds import feed_atom_bytes
from steadfast.status.snapshot import snapshot_get
from steadfast.status.statuspage import ENDPOINTS

ROOT = "/status/"


def _cacheable(request, response):
    """Public for 30 s with a strong ETag over the body, answering 304 when the client has it."""
    etag = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=30)
    conditional = get_conditional_response(request, etag=etag, response=response)
    return conditional


def page_context(snapshot):
    try:
        contacts = contacts_context()
    except DatabaseError:  # the snapshot may be a cached copy; the contacts must not take the page down
        contacts = {"contacts": contacts_for(settings.SHOP_PHONE, settings.SHOP_EMAIL), "partners": []}
    return {"s": snapshot, "LANGUAGE_CODE": get_language(), "root": ROOT, **contacts}


def _render(request, template, snapshot, **extra):
    # No request context: its processors read the session and cart, and these pages must render while the
    # database is down (from the last good snapshot).
    response = HttpResponse(render_to_string(template, {**page_context(snapshot), **extra}))
    return _cacheable(request, response)


# The status page's HTML in this process, for the snapshot and contacts it was rendered from: the page is rendered
# once per snapshot (rebuilt every few seconds) instead of on every request. Bounded: a few languages x snapshots.
_rendered_pages: dict[str, str] = {}


@require_GET
def status_page(request):
    snapshot = snapshot_get()
    context = {**page_context(snapshot), "busy": _busy()}
    partners = [{k: v for k, v in vars(p).items() if k != "_state"} for p in context["partners"]]
    shown = json.dumps([snapshot, context["contacts"], partners, get_language(), context["busy"]], sort_keys=True,
                       default=str)
    key = hashlib.sha256(shown.encode()).hexdigest()
    body = _rendered_pages.get(key)
    if body is None:
        body = render_to_string("status/page.html", context)
        if len(_rendered_pages) >= 16:
            _rendered_pages.clear()
        _rendered_pages[key] = body
    return _cacheable(request, HttpResponse(body))


def _busy() -> bool:
    """The waiting room is queuing new visitors (waitroom/room.py); a cache failure means "not that we know"."""
    from steadfast.waitroom.room import active

    try:
        return active()
    except (*STORE_ERRORS, ValueError):
        return False


@require_GET
def history_page(request):
    return _render(request, "status/history.html", snapshot_get())


@require_GET
def incident_page(request, incident_id):
    snapshot = snapshot_get()
    item = next((i for i in snapshot["incidents"] + snapshot["past_incidents"] if i["id"] == str(incident_id)), None)
    if item is None:
        item = incident_older(incident_id)
    return _render(request, "status/incident.html", snapshot, item=item, kind="incident")


@require_GET
def maintenance_page(request, window_id):
    snapshot = snapshot_get()
    item = next((m for m in snapshot["maintenances"] if m["id"] == window_id and m["status"] != "cancelled"), None)
    if item is None:
        raise Http404
    return _render(request, "status/incident.html", snapshot, item=item, kind="maintenance")


@require_GET
def contacts_page(request):
    response = render(request, "status/contacts.html", contacts_context())
    return _cacheable(request, response)


def incident_older(incident_id):
    """An incident older than the snapshot keeps (its permalink must not break)."""
    from steadfast.status.models import Incident
    from steadfast.status.snapshot import _incident_dict

    incident = Incident.objects.prefetch_related("updates").filter(pk=incident_id).first()
    if incident is None:
        raise Http404
    return _incident_dict(incident)


@require_GET
def api_document(request, name):
    """Any of the Statuspage-compatible documents (statuspage.ENDPOINTS), readable from any origin."""
    build = ENDPOINTS.get(name)
    if build is None:
        raise Http404
    body = json.dumps(build(snapshot_get()), ensure_ascii=False, sort_keys=True)
    response = _cacheable(request, HttpResponse(body, content_type="application/json"))
    response["Access-Control-Allow-Origin"] = "*"  # public data, read by widgets on other sites
    return response


@require_GET
def feed(request):
    response = HttpResponse(feed_atom_bytes(snapshot_get()), content_type="application/atom+xml; charset=utf-8")
    return _cacheable(request, response)


@require_POST
def banner_dismiss(request):
    """Works without JavaScript: a plain form post, then back to the page the shopper was on."""
    banner = banner_for(request)
    if banner:
        request.session[DISMISS_SESSION_KEY] = banner["version"]
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    return HttpResponseRedirect(target)
