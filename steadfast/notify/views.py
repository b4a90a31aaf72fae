"""Newsletter pages: sign-up with double opt-in (/newsletter/), the confirmation link, and the one-click unsubscribe
link of promotional e-mail. The last two are authorised by the subscriber's secret token; unsubscribe needs no CSRF
cookie (mail clients POST "List-Unsubscribe=One-Click", RFC 8058). A GET only shows the button: mail
scanners open links, and only a person's click (or the mail client's POST) may unsubscribe."""

from django import forms
from django.http import Http404
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from steadfast.notify.campaigns import newsletter_unsubscribe
from steadfast.notify.models import NewsletterSubscriber
from steadfast.notify.newsletter import newsletter_confirm, newsletter_request


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


class NewsletterForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("E-mail"), max_length=254)
    consent = forms.BooleanField(label=gettext_lazy(
        "I agree to receive news and offers from this shop by e-mail. I can unsubscribe at any time with the link in "
        "every e-mail."))


@ratelimit(key="ip", rate="20/h", method="POST", block=False)
def newsletter_signup(request):
    form = NewsletterForm(request.POST or None)
    if request.method == "POST" and getattr(request, "limited", False):
        return render(request, "storefront/429.html", status=429)
    if request.method == "POST" and form.is_valid():
        newsletter_request(form.cleaned_data["email"], translation.get_language() or "en",
                           str(form.fields["consent"].label))
        return render(request, "notify/newsletter/signup.html", {"sent": True})
    return render(request, "notify/newsletter/signup.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


@require_http_methods(["GET", "POST"])
def newsletter_confirm_view(request, token):
    """GET shows a button (mail scanners open links); the person's click (POST) confirms."""
    subscriber = NewsletterSubscriber.objects.filter(token=token).first() if token else None
    if subscriber is None:
        raise Http404
    if request.method == "POST":
        newsletter_confirm(subscriber)
        return render(request, "notify/newsletter/confirm.html", {"done": True, "email": subscriber.email})
    return render(request, "notify/newsletter/confirm.html", {"email": subscriber.email})
