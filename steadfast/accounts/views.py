"""Customer accounts: sign-up, login (rate limited), logout, order history. Password reset uses Django's views."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
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
        return redirect(next_url or "accounts:orders")
    return render(request, "accounts/signup.html", {"form": form, "next": next_url})


@login_required
def orders(request):
    return render(request, "accounts/orders.html", {"orders": request.user.orders.all()})


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
