"""Public status page, its JSON and feed, the emergency contacts page and banner dismissal."""

import hashlib
import json

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_POST

from steadfast.siteurl import absolute_url
from steadfast.status.banner import DISMISS_SESSION_KEY, banner_for, contacts_context, contacts_for
from steadfast.status.feeds import feed_atom_bytes
from steadfast.status.snapshot import snapshot_get
from steadfast.status.statuspage import status_json, summary_json


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
    return {"s": snapshot, "LANGUAGE_CODE": get_language(), **contacts}


@require_GET
def status_page(request):
    # No request context: its processors read the session and cart, and this page must render while the
    # database is down (from the last good snapshot).
    response = HttpResponse(render_to_string("status/page.html", page_context(snapshot_get())))
    return _cacheable(request, response)


@require_GET
def contacts_page(request):
    response = render(request, "status/contacts.html", contacts_context())
    return _cacheable(request, response)


def _json(request, data):
    body = json.dumps(data, ensure_ascii=False, sort_keys=True)
    response = HttpResponse(body, content_type="application/json")
    return _cacheable(request, response)


@require_GET
def summary(request):
    return _json(request, summary_json(snapshot_get()))


@require_GET
def status(request):
    return _json(request, status_json(snapshot_get()))


@require_GET
def feed(request):
    response = HttpResponse(
        feed_atom_bytes(snapshot_get(), absolute_url("/status/")),
        content_type="application/atom+xml; charset=utf-8",
    )
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
