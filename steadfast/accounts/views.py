"""Customer accounts: sign-up, login (rate limited), logout, order history. Password reset uses Django's views."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from steadfast.accounts.forms import EmailLoginForm, OrderLookupForm, SignupForm
from steadfast.accounts.services import (
    email_is_verified,
    email_verify,
    guest_orders_link,
    order_lookup_send,
    verification_send,
)


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


def signup(request):
    next_url = request.POST.get("next") or request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = ""
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        # Django's login keeps the session's data, so a guest's cart survives signing up.
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome! Your account has been created."))
        _verification_mail(request, user)
        return redirect(next_url or "accounts:orders")
    return render(request, "accounts/signup.html", {"form": form, "next": next_url})


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


# The admin app ships registration/ templates and comes first in INSTALLED_APPS, so ours live under accounts/.
PASSWORD_RESET = {
    "password_reset": auth_views.PasswordResetView.as_view(
        template_name="accounts/password_reset_form.html",
        email_template_name="accounts/password_reset_email.txt",
        subject_template_name="accounts/password_reset_subject.txt",
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
