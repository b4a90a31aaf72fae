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
from django.core.mail import send_mail
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.encoding import force_bytes
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited
from django_ratelimit.decorators import ratelimit

from steadfast.accounts.forms import EmailLoginForm, SignupForm


def login_rate(group, request):
    # Read at request time so the limit follows settings (and tests can override it).
    return settings.RATELIMIT_LOGIN


@method_decorator(ratelimit(key="ip", rate=login_rate, method="POST", block=True), name="post")
class LoginView(auth_views.LoginView):
    form_class = EmailLoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


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
    send_mail(render_to_string(f"accounts/{kind}_subject.txt", context).strip(),
              render_to_string(f"accounts/{kind}_email.txt", context), None, [user.email])


def signup_sent(request):
    return render(request, "accounts/signup_sent.html", {"email": request.session.get("signup_email", "")})


def activate(request, uidb64, token):
    try:
        user = get_user_model().objects.get(pk=int(urlsafe_base64_decode(uidb64)))
    except (ValueError, TypeError, OverflowError, get_user_model().DoesNotExist):
        user = None
    if user is None or not default_token_generator.check_token(user, token):
        return render(request, "accounts/activate_invalid.html", status=400)
    user.is_active = True
    user.save(update_fields=["is_active"])
    # Django's login keeps the session's data, so a guest's cart survives signing up.
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, _("Welcome! Your account has been created."))
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = ""
    return redirect(next_url or "accounts:orders")


@login_required
def orders(request):
    return render(request, "accounts/orders.html", {"orders": request.user.orders.all()})


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
