"""The rota as the document steadfast-watch pulls (format in watch/rota.py, which both sides use to read it)."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from steadfast.oncall.models import OnCallOverride, OnCallPerson, OnCallShift


def rota_document(now=None) -> dict:
    now = now or timezone.now()
    people = list(OnCallPerson.objects.filter(is_active=True))
    ids = [p.pk for p in people]
    return {
        "generated_at": now.isoformat(),
        "time_zone": settings.TIME_ZONE,
        "people": [{"id": p.pk, "name": p.name, "phone": p.phone, "telegram_chat_id": p.telegram_chat_id,
                    "email": p.email, "quiet": [p.quiet_from.strftime("%H:%M"), p.quiet_until.strftime("%H:%M")]
                    if p.quiet_from and p.quiet_until else None} for p in people],
        "shifts": [{"person": s.person_id, "weekdays": s.weekdays, "starts": s.starts.strftime("%H:%M"),
                    "ends": s.ends.strftime("%H:%M")} for s in OnCallShift.objects.filter(person_id__in=ids)],
        # Past overrides are history; the watcher needs the current and coming ones (for weeks without the shop).
        "overrides": [{"person": o.person_id, "starts_at": o.starts_at.isoformat(), "ends_at": o.ends_at.isoformat()}
                      for o in OnCallOverride.objects.filter(person_id__in=ids, ends_at__gt=now - timedelta(days=1))],
    }
