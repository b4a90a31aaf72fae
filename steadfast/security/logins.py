"""django-axes hooks: one spelling of an account name, a friendly lockout page, and a staff alert on lockout."""

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from steadfast.security.alerts import security_alert


def login_username(request, credentials) -> str:
    """Both logins use the e-mail as username; "Ann@Example.com " and "ann@example.com" are one account."""
    raw = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(raw).strip().lower()


def locked_out(request, original_response=None, credentials=None):
    minutes = round(settings.AXES_COOLOFF_TIME * 60)
    return render(request, "security/locked_out.html", {"minutes": minutes}, status=429)


def alert_lockout(sender, request=None, username="", ip_address="", **kwargs):
    """Receiver for axes.signals.user_locked_out: one alert per account and address per lockout period."""
    bucket = int(timezone.now().timestamp() // max(60, settings.AXES_COOLOFF_TIME * 3600))
    # One alert per locked thing: the address when it is the address that hit the limit, else the account.
    by_address = AccessAttempt.objects.filter(ip_address=ip_address).aggregate(n=Sum("failures_since_start"))["n"]
    locked = f"address:{ip_address}" if (by_address or 0) >= settings.AXES_FAILURE_LIMIT else f"account:{username}"
    path = getattr(request, "path", "") if request is not None else ""
    security_alert(
        key=f"lockout:{locked}:{bucket}",
        subject=_("Login locked out: %(account)s") % {"account": username or "-"},
        text=_("%(limit)s wrong passwords for %(account)s from %(address)s on %(path)s. Logins for this account "
               "and from this address are refused for %(minutes)s minutes.") % {
            "limit": settings.AXES_FAILURE_LIMIT, "account": username or "-", "address": ip_address or "-",
            "path": path, "minutes": round(settings.AXES_COOLOFF_TIME * 60)},
        admin_path="/admin/axes/accessattempt/",
    )
