"""The one-click unsubscribe link of promotional e-mail. Authorised by the subscriber's secret token; no CSRF
cookie needed (mail clients POST "List-Unsubscribe=One-Click", RFC 8058). A GET only shows the button: mail
scanners open links, and only a person's click (or the mail client's POST) may unsubscribe."""

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from steadfast.notify.campaigns import newsletter_unsubscribe
from steadfast.notify.models import NewsletterSubscriber


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    subscriber = NewsletterSubscriber.objects.filter(token=token).first() if token else None
    if subscriber is None:
        raise Http404
    if request.method == "GET" and subscriber.unsubscribed_at is None:
        context = {"heading": _("Unsubscribe from news and offers"), "text": subscriber.email, "action": request.path}
    else:
        newsletter_unsubscribe(subscriber)
        context = {"heading": _("You are unsubscribed"), "text": _("You will receive no more offers from us.")}
    response = render(request, "notify/newsletter/unsubscribe.html", context)
    response["Cache-Control"] = "no-store"
    return response
