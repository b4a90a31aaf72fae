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
        "people": [_person(p) for p in people],
        "shifts": [{"person": s.person_id, "weekdays": s.weekdays, "starts": s.starts.strftime("%H:%M"),
                    "ends": s.ends.strftime("%H:%M")} for s in OnCallShift.objects.filter(person_id__in=ids)],
        # Past overrides are history; the watcher needs the current and coming ones (for weeks without the shop).
        "overrides": [{"person": o.person_id, "starts_at": o.starts_at.isoformat(), "ends_at": o.ends_at.isoformat()}
                      for o in OnCallOverride.objects.filter(person_id__in=ids, ends_at__gt=now - timedelta(days=1))],
    }


def _person(person) -> dict:
    quiet = [person.quiet_from.strftime("%H:%M"), person.quiet_until.strftime("%H:%M")] \
        if person.quiet_from and person.quiet_until else None
    # The person's own zone: their shifts and quiet hours are read in it (watch/rota.py).
    return {"id": person.pk, "name": person.name, "phone": person.phone, "telegram_chat_id": person.telegram_chat_id,
            "email": person.email, "time_zone": person.time_zone, "quiet": quiet}
