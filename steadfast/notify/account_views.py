"""/account/messages/: a customer chooses the channels of their order messages and links Telegram."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from steadfast.notify.models import ChannelPreference, TelegramLink
from steadfast.notify.preferences import GROUPS, preference_save
from steadfast.notify.telegram_link import deep_link

CHANNELS = (("email", _("E-mail")), ("sms", _("SMS")), ("telegram", _("Telegram")))


@login_required
def message_settings(request):
    preference = ChannelPreference.objects.filter(user=request.user).first()
    choices, phone = (preference.choices, preference.phone) if preference else ({}, "")
    error = ""
    if request.method == "POST":
        choices = {group: request.POST.getlist(group) for group in GROUPS}
        phone = request.POST.get("phone", "")[:32]
        try:
            preference_save(request.user, choices, phone)
        except ValidationError as invalid:
            error = invalid.messages[0]  # nothing saved; the form shows what was asked for
        else:
            return redirect(f"{request.path}?saved=1")
    link = TelegramLink.objects.filter(user=request.user).first()
    groups = [{"name": name, "label": label, "chosen": choices.get(name, ["email"])}
              for name, (label, _kinds) in GROUPS.items()]
    return render(request, "notify/account/messages.html", {
        "groups": groups, "channels": CHANNELS, "phone": phone, "error": error,
        "saved": "saved" in request.GET and not error, "telegram_chat": link.chat_id if link else "",
        "telegram_url": deep_link(user=request.user)}, status=400 if error else 200)
