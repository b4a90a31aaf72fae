"""The shop's staff alerts, paged through the on-call rota (notify.alerts.staff_alert_add calls page_open).

With people on the rota, an alert goes to the person on call first (the order of watch/rota.on_call: overrides,
shifts, then the escalation order), by their own Telegram chat, phone and e-mail along the staff chain; every
ONCALL_ESCALATE_MINUTES without an acknowledgement the next person gets it (pages_escalate, a Huey task), and after
the last one everyone does, through the staff chain (Telegram group, STAFF_ALERT_PHONES, e-mail, Apprise).
Non-critical alerts (policy.py) skip people in their quiet hours; when that leaves nobody, they go to everyone at
once, as they would with an empty rota. Every message carries an acknowledge link (links.py); the first
acknowledgement stops the escalation and tells the others who took it. The all-clear of an episode (a provider
back) resolves its open page; alerts about an episode already paged are "for information": sent, not escalated.
The first message of a page keeps the alert's key, so the alert is deduplicated as before.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, Value, When
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.utils import timezone

from steadfast.notify.outbox import outbox_add
from steadfast.notify.render import kind_render
from steadfast.oncall.links import EVERYONE, ack_url
from steadfast.oncall.models import AlertPage, AlertPageEvent, OnCallPerson
from steadfast.oncall.policy import alert_critical, alert_episode
from steadfast.oncall.rota import rota_document
from watch.rota import on_call, quiet

log = logging.getLogger(__name__)
State, Action = AlertPage.State, AlertPageEvent.Action
ACK_KIND = "staff_page_ack"  # "X took it": templates oncall/templates/notify/staff_page_ack*.txt


def page_open(*, key: str, kind: str, payload: dict, critical: bool | None = None, now=None) -> AlertPage:
    """Record the alert's page and write its first message(s), in the caller's transaction."""
    now = now or timezone.now()
    critical = alert_critical(kind, payload) if critical is None else critical
    episode, resolves = alert_episode(key, kind, payload)
    rota = rota_document(now)
    order = [person["id"] for person in on_call(rota, now) if critical or not quiet(rota, person, now)]
    ongoing = bool(episode) and AlertPage.objects.filter(
        episode=episode, state__in=(State.OPEN, State.ACKNOWLEDGED)).exists()
    if resolves:
        _resolve(episode, key, now)
    info = resolves or ongoing
    page = AlertPage.objects.create(
        key=key, kind=kind, summary=_summary(kind, payload), critical=critical, episode=episode, payload=payload,
        order=order, state=State.INFO if info else State.OPEN, opened_at=now, paged_at=now,
        closed_at=now if info else None)
    _page_step(page, now, message_key=key)
    return page


def pages_escalate(now=None) -> int:
    """Every open page nobody acknowledged for ONCALL_ESCALATE_MINUTES goes one step further; returns how many."""
    now = now or timezone.now()
    due = AlertPage.objects.filter(
        state=State.OPEN, paged_at__lte=now - timedelta(minutes=settings.ONCALL_ESCALATE_MINUTES))
    stepped = 0
    for page in due.only("pk", "level", "order"):
        if page.level >= len(page.order):
            continue  # everyone has it: nobody further to page
        with transaction.atomic():
            # One process wins the step (the Huey lock aside, two workers must never page twice).
            if not AlertPage.objects.filter(pk=page.pk, state=State.OPEN, level=page.level).update(
                    level=page.level + 1, paged_at=now):
                continue
            page = AlertPage.objects.get(pk=page.pk)
            _page_step(page, now)
        stepped += 1
    return stepped


def page_acknowledge(page: AlertPage, *, who: str, person=None, user=None, now=None) -> bool:
    """The first acknowledgement: recorded (by whom, when), escalation stopped, the others told. False when
    someone acknowledged it before (nothing changes)."""
    now = now or timezone.now()
    with transaction.atomic():
        done = AlertPage.objects.filter(pk=page.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=now, acknowledged_by=who[:150], acknowledged_person=person, acknowledged_user=user,
            state=Case(When(state=State.OPEN, then=Value(State.ACKNOWLEDGED)), default=F("state")))
        if not done:
            return False
        AlertPageEvent.objects.create(page=page, at=now, action=Action.ACKNOWLEDGED, person=person, note=who[:300])
        _tell_the_rest(page, who, person, now)
    page.refresh_from_db()
    log.info("alert page %s acknowledged by %s", page.pk, who)
    return True


def person_addresses(person: OnCallPerson) -> dict:
    found = {"telegram": person.telegram_chat_id, "sms": person.phone, "email": person.email}
    return {channel: value for channel, value in found.items() if value}


def _page_step(page: AlertPage, now, message_key: str = "") -> None:
    """Page the step `page.level`: the person at that position of the order, or everyone after the last."""
    people = OnCallPerson.objects.in_bulk(page.order)
    while page.level < len(page.order):
        person = people.get(page.order[page.level])
        if person is not None and person.is_active and person_addresses(person):
            action = Action.PAGED if page.level == 0 else Action.ESCALATED
            message = outbox_add(key=message_key or f"page:{page.pk}:{page.level}", kind=page.kind,
                                 recipient=person.email or person.name,
                                 payload=_payload(page, str(person.pk), person.name),
                                 addresses=person_addresses(person))
            AlertPageEvent.objects.create(page=page, at=now, action=action, person=person, message=message,
                                          note=person.name)
            return
        page.level += 1  # removed from the rota (or unreachable) since the page opened: the next one
        AlertPage.objects.filter(pk=page.pk).update(level=page.level)
    from steadfast.notify.alerts import staff_addresses  # notify.alerts imports this module

    addresses = staff_addresses()
    message = outbox_add(key=message_key or f"page:{page.pk}:all", kind=page.kind,
                         recipient=", ".join(addresses.get("email", [])) or "staff",
                         payload=_payload(page, EVERYONE, "everyone"), addresses=addresses)
    AlertPageEvent.objects.create(page=page, at=now, action=Action.EVERYONE if page.order else Action.PAGED,
                                  message=message, note="everyone (staff chain)")


def _payload(page, who, name) -> dict:
    return {**page.payload, "ack_url": ack_url(page.pk, who), "paged": name,
            "escalated": page.level > 0 and page.state == State.OPEN}


def _tell_the_rest(page, who, person, now) -> None:
    paged = page.events.filter(action__in=(Action.PAGED, Action.ESCALATED, Action.EVERYONE))
    payload = {"language": page.payload.get("language") or settings.LANGUAGE_CODE, "who": who,
               "summary": page.summary, "admin_url": _admin_url(page)}
    others = [event.person for event in paged if event.person is not None and event.person != person]
    for other in dict.fromkeys(others):
        message = outbox_add(key=f"page:{page.pk}:took:{other.pk}", kind=ACK_KIND,
                             recipient=other.email or other.name, payload=payload, addresses=person_addresses(other))
        AlertPageEvent.objects.create(page=page, at=now, action=Action.TOLD, person=other, message=message,
                                      note=other.name)
    if any(event.person_id is None for event in paged):
        from steadfast.notify.alerts import staff_addresses

        addresses = staff_addresses()
        message = outbox_add(key=f"page:{page.pk}:took:all", kind=ACK_KIND,
                             recipient=", ".join(addresses.get("email", [])) or "staff", payload=payload,
                             addresses=addresses)
        AlertPageEvent.objects.create(page=page, at=now, action=Action.TOLD, message=message,
                                      note="everyone (staff chain)")


def _resolve(episode, key, now) -> None:
    for page in AlertPage.objects.filter(episode=episode, state__in=(State.OPEN, State.ACKNOWLEDGED)):
        AlertPage.objects.filter(pk=page.pk).update(state=State.RESOLVED, closed_at=now)
        AlertPageEvent.objects.create(page=page, at=now, action=Action.RESOLVED, note=key[:300])


def _summary(kind, payload) -> str:
    try:
        subject = kind_render(kind, "sms", {"payload": payload, "order": None},
                              payload.get("language") or settings.LANGUAGE_CODE).subject
    except (TemplateDoesNotExist, TemplateSyntaxError, TypeError, ValueError):
        # A template that cannot render this payload must not undo the alert's cause (we are in its transaction):
        # the message dead-letters with the error at delivery, where staff see and replay it.
        subject = ""
    return (subject or payload.get("subject") or kind)[:300]


def _admin_url(page) -> str:
    return settings.SITE_URL.rstrip("/") + f"/admin/oncall/alertpage/{page.pk}/change/"
