"""Customer accounts: sign-up, login (rate limited, locked out by django-axes), logout, order history.

Sign-up never says whether an e-mail has an account: the answer (an activation link, or "you already have an
account") goes to that mailbox, and the page is the same either way. Password reset uses Django's views with a
per-address and per-account limit on how many e-mails are sent.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.tokens import default_token_generator
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.encoding import force_bytes
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited
from django_ratelimit.decorators import ratelimit

from steadfast.accounts.forms import EmailLoginForm, OrderLookupForm, ShopPasswordResetForm, SignupForm
from steadfast.accounts.services import (
    account_activate,
    email_is_verified,
    email_verify,
    guest_orders_link,
    order_lookup_send,
    verification_send,
)
from steadfast.notify.sender import shop_email


def login_rate(group, request):
    # Read at request time so the limit follows settings (and tests can override it).
    return settings.RATELIMIT_LOGIN


@method_decorator(ratelimit(key="ip", rate=login_rate, method="POST", block=True), name="post")
class LoginView(auth_views.LoginView):
    form_class = EmailLoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        guest_orders_link(form.get_user())  # guest orders placed since the address was verified
        return response


class LogoutView(auth_views.LogoutView):
    pass


def signup_rate(group, request):
    return settings.RATELIMIT_SIGNUP


@ratelimit(key="ip", rate=signup_rate, method="POST", block=True)
def signup(request):
    next_url = request.POST.get("next") or request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = ""
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        existing = form.existing_user()
        if existing is None or not (existing.is_active or existing.last_login):
            if existing is not None:  # a sign-up never confirmed: the latest password and a fresh link
                existing.set_password(form.cleaned_data["password1"])
                existing.save(update_fields=["password"])
            _signup_mail(request, "signup_activate", existing or form.save(), next_url)
        else:
            _signup_mail(request, "signup_exists", existing, next_url)
        request.session["signup_email"] = form.cleaned_data["email"]
        return redirect("accounts:signup_sent")
    return render(request, "accounts/signup.html", {"form": form, "next": next_url})


def _signup_mail(request, kind, user, next_url):
    # One e-mail per address per window, whatever the page shows: sign-up must not become a mail cannon.
    if is_ratelimited(request, group="signup-mail", key=lambda g, r: user.email, rate=settings.RATELIMIT_SIGNUP,
                      increment=True):
        return
    site = settings.SITE_URL.rstrip("/")
    token = default_token_generator.make_token(user)
    link = site + reverse("accounts:activate", args=[urlsafe_base64_encode(force_bytes(user.pk)), token])
    context = {"link": link + (f"?next={next_url}" if next_url else ""), "shop_name": settings.SHOP_NAME,
               "login_url": site + reverse("accounts:login"), "reset_url": site + reverse("accounts:password_reset")}
    shop_email(render_to_string(f"accounts/{kind}_subject.txt", context).strip(),
               render_to_string(f"accounts/{kind}_email.txt", context), [user.email]).send()


def signup_sent(request):
    return render(request, "accounts/signup_sent.html", {"email": request.session.get("signup_email", "")})


def activate(request, uidb64, token):
    try:
        user = get_user_model().objects.get(pk=int(urlsafe_base64_decode(uidb64)))
    except (ValueError, TypeError, OverflowError, get_user_model().DoesNotExist):
        user = None
    if user is None or not default_token_generator.check_token(user, token):
        return render(request, "accounts/activate_invalid.html", status=400)
    # The one link both activates the account and proves the address, so earlier guest orders join it.
    account_activate(user)
    # Django's login keeps the session's data, so a guest's cart survives signing up.
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, _("Welcome! Your account has been created."))
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = ""
    return redirect(next_url or "accounts:orders")


@login_required
def orders(request):
    return render(request, "accounts/orders.html", {
        "orders": request.user.orders.all(), "verified": email_is_verified(request.user),
    })


def _verification_mail(request, user):
    verification_send(user, translation.get_language() or settings.LANGUAGE_CODE)
    messages.info(request, _("We sent a link to %(email)s. Open it to confirm your address: orders you placed "
                             "as a guest with it then show up in your account.") % {"email": user.email})


def verify_rate(group, request):
    return settings.RATELIMIT_ORDER_LOOKUP


@require_POST
@login_required
@ratelimit(key="user", rate=verify_rate, block=True)
def verify_send(request):
    if not email_is_verified(request.user):
        _verification_mail(request, request.user)
    return redirect("accounts:orders")


def verify(request, token):
    user = email_verify(token)
    if user is None:
        messages.error(request, _("This confirmation link is invalid or too old. Log in and ask for a new one."))
        return redirect("accounts:orders" if request.user.is_authenticated else "accounts:login")
    messages.success(request, _("Thank you, your e-mail address is confirmed. Orders you placed with it as a guest "
                                "are now in your account."))
    if request.user.is_authenticated and request.user.pk == user.pk:
        return redirect("accounts:orders")
    return redirect("accounts:login")


@ratelimit(key="ip", rate=verify_rate, method="POST", block=True)
def order_lookup(request):
    """Order number + e-mail -> the order link by e-mail. The same answer whether or not they matched."""
    form = OrderLookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        order_lookup_send(form.cleaned_data["number"], form.cleaned_data["email"])
        messages.success(request, _("If an order with this number was placed with this e-mail address, we have "
                                    "sent the link to it there. Please check your inbox (and the spam folder)."))
        return redirect("accounts:order_lookup")
    return render(request, "accounts/order_lookup.html", {"form": form})


class ThrottledPasswordResetView(auth_views.PasswordResetView):
    """Too many requests from one address get the 429 page; too many for one account are answered as usual
    (the page never says whether an account exists) but send nothing."""

    def post(self, request, *args, **kwargs):
        if is_ratelimited(request, group="password-reset-ip", key="ip", rate=settings.RATELIMIT_PASSWORD_RESET_IP,
                          method="POST", increment=True):
            return render(request, "storefront/429.html", status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().lower()
        if is_ratelimited(self.request, group="password-reset-email", key=lambda g, r: email,
                          rate=settings.RATELIMIT_PASSWORD_RESET_EMAIL, increment=True):
            return redirect(self.get_success_url())
        return super().form_valid(form)


# The admin app ships registration/ templates and comes first in INSTALLED_APPS, so ours live under accounts/.
PASSWORD_RESET = {
    "password_reset": ThrottledPasswordResetView.as_view(
        template_name="accounts/password_reset_form.html",
        email_template_name="accounts/password_reset_email.txt",
        subject_template_name="accounts/password_reset_subject.txt",
        form_class=ShopPasswordResetForm,
        success_url=reverse_lazy("accounts:password_reset_done"),
        extra_email_context={"site_url": settings.SITE_URL.rstrip("/"), "shop_name": settings.SHOP_NAME},
    ),
    "password_reset_done": auth_views.PasswordResetDoneView.as_view(
        template_name="accounts/password_reset_done.html",
    ),
    "password_reset_confirm": auth_views.PasswordResetConfirmView.as_view(
        template_name="accounts/password_reset_confirm.html",
        success_url=reverse_lazy("accounts:password_reset_complete"),
    ),
    "password_reset_complete": auth_views.PasswordResetCompleteView.as_view(
        template_name="accounts/password_reset_complete.html",
    ),
}
