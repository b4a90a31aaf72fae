from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WaitroomConfig(AppConfig):
    name = "steadfast.waitroom"
    verbose_name = _("Waiting room")
