"""Subscription pages. The forms work without JavaScript and without a CSRF cookie: the status page is a public
cached document, and every action here is either harmless (asking for a confirmation mail) or authorised by the
subscriber's secret token in the URL (confirm, unsubscribe; mail clients post one-click unsubscribes, RFC 8058)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from steadfast.status.subscribers import (
    subscriber_add,
    subscriber_by_token,
    subscriber_confirm,
    subscriber_unsubscribe,
)


def _page(request, heading, text, action=None, button=None, status=200):
    context = {"heading": heading, "text": text, "action": action, "button": button, "shop_name": settings.SHOP_NAME}
    response = render(request, "status/subscription.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt
@require_POST
@ratelimit(key="ip", rate="10/h", block=True)
def subscribe(request):
    try:
        subscriber_add(request.POST.get("email", ""))
    except ValidationError as error:
        return _page(request, _("Subscription not started"), " ".join(error.messages), status=400)
    return _page(
        request,
        _("Check your inbox"),
        _("We sent a confirmation link. Updates start once you confirm; nothing is sent otherwise."),
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
def subscribe_confirm(request, token):
    subscriber = subscriber_by_token(token)
    if subscriber is None or subscriber.unsubscribed_at is not None:
        raise Http404
    # A GET only shows the button: mail scanners open links, and only a person's click may confirm.
    if request.method == "GET" and not subscriber.active:
        return _page(request, _("Confirm your subscription"), subscriber.email, request.path, _("Confirm"))
    subscriber_confirm(subscriber)
    return _page(
        request, _("You are subscribed"), _("We will e-mail you when an incident opens, changes or is resolved.")
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    subscriber = subscriber_by_token(token)
    if subscriber is None:
        raise Http404
    if request.method == "GET" and subscriber.unsubscribed_at is None:
        return _page(request, _("Unsubscribe from status updates"), subscriber.email, request.path, _("Unsubscribe"))
    subscriber_unsubscribe(subscriber)
    return _page(request, _("You are unsubscribed"), _("You will receive no more status e-mails from us."))
