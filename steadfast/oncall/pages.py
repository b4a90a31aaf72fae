"""The shop's staff alerts, paged through the on-call rota (notify.alerts.staff_alert_add calls page_open).

With people on the rota, an alert goes to the person on call first (the order of watch/rota.on_call: overrides,
shifts, then the escalation order), by their own Telegram chat, phone and e-mail along the staff chain; every
ONCALL_ESCALATE_MINUTES without an acknowledgement the next person gets it (pages_escalate, a Huey task), and after
the last one everyone does, through the staff chain (Telegram group, STAFF_ALERT_PHONES, e-mail, Apprise).
Non-critical alerts (policy.py) pass over whoever is in their quiet hours at the moment of each step; when that
leaves nobody further, they go to everyone, as they would with an empty rota. Every message of an open page carries
an acknowledge link (links.py); the first acknowledgement stops the escalation and tells the others who took it.
The all-clear of an episode (a provider back, or switched off by staff) resolves its open page and goes to
everyone that page reached. Alerts about an episode already paged, staff actions and security notices are "for
information": sent once, never escalated, nothing to acknowledge (a reminder's link acknowledges the outage page).
The first message of a page keeps the alert's key, so the alert is deduplicated as before.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.utils import timezone

from steadfast.notify.outbox import outbox_add
from steadfast.notify.render import kind_render
from steadfast.oncall.links import EVERYONE, ack_url
from steadfast.oncall.models import AlertPage, AlertPageEvent, OnCallPerson
from steadfast.oncall.policy import alert_critical, alert_episode, alert_notice
from steadfast.oncall.rota import rota_document
from watch.rota import on_call, quiet

log = logging.getLogger(__name__)
State, Action = AlertPage.State, AlertPageEvent.Action
EVERYONE_NOTE = "everyone (staff chain)"  # the history's name for the staff chain (no person)
ACK_KIND = "staff_page_ack"  # "X took it": templates oncall/templates/notify/staff_page_ack*.txt


def page_open(*, key: str, kind: str, payload: dict, critical: bool | None = None, now=None) -> AlertPage:
    """Record the alert's page and write its first message(s), in the caller's transaction."""
    now = now or timezone.now()
    critical = alert_critical(kind, payload) if critical is None else critical
    episode, resolves = alert_episode(key, kind, payload)
    # The whole order: quiet hours are read at each step (_page_step), when that person would be paged.
    order = [person["id"] for person in on_call(rota_document(now), now)]
    ongoing = bool(episode) and AlertPage.objects.filter(
        episode=episode, state__in=(State.OPEN, State.ACKNOWLEDGED)).exists()
    resolved = _resolve(episode, key, now) if resolves else []
    info = resolves or ongoing or alert_notice(kind, payload)
    page = AlertPage.objects.create(
        key=key, kind=kind, summary=_summary(kind, payload), critical=critical, episode=episode, payload=payload,
        order=order, state=State.INFO if info else State.OPEN, opened_at=now, paged_at=now,
        closed_at=now if info else None)
    if not _page_all_clear(page, resolved, now, message_key=key):
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
    """The first acknowledgement of an open page: recorded (by whom, when), escalation stopped, the others told.
    False when someone acknowledged it before or the page is not open (resolved, for information): nothing
    changes."""
    now = now or timezone.now()
    with transaction.atomic():
        # Only a page still paging: a resolved page or a notice needs nobody to take it (and telling everyone
        # "X is on it" for a finished alert would be noise).
        done = AlertPage.objects.filter(pk=page.pk, state=State.OPEN, acknowledged_at__isnull=True).update(
            acknowledged_at=now, acknowledged_by=who[:150], acknowledged_person=person, acknowledged_user=user,
            state=State.ACKNOWLEDGED)
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
    """Page the step `page.level`: the person at that position of the order, or everyone after the last. Someone
    who left the rota, cannot be reached or (for a non-critical page) is in their quiet hours now is passed over."""
    people = OnCallPerson.objects.in_bulk(page.order)
    rota = None if page.critical else rota_document(now)
    while page.level < len(page.order):
        person = people.get(page.order[page.level])
        if _pageable(person, rota, now):
            _page_person(page, person, message_key or f"page:{page.pk}:{page.level}",
                         Action.PAGED if page.level == 0 else Action.ESCALATED, now)
            return
        page.level += 1
        AlertPage.objects.filter(pk=page.pk).update(level=page.level)
    _page_everyone(page, message_key or f"page:{page.pk}:all", Action.EVERYONE if page.order else Action.PAGED, now)


def _pageable(person, rota, now) -> bool:
    if person is None or not person.is_active or not person_addresses(person):
        return False
    if rota is None:
        return True  # critical: quiet hours or not
    entry = next((p for p in rota["people"] if p["id"] == person.pk), None)
    return entry is not None and not quiet(rota, entry, now)


def _page_all_clear(page: AlertPage, resolved: list, now, message_key: str) -> bool:
    """The all-clear goes to everyone the resolved pages reached (the people woken by escalation too, and the staff
    chain when a page had reached everyone): whoever heard of the problem hears it is over. False when the
    resolved pages reached nobody (then it is paged like any notice)."""
    people, everyone = _reached(AlertPageEvent.objects.filter(page__in=resolved))
    people = [person for person in people if person.is_active and person_addresses(person)]
    keys = iter([message_key])  # the first message keeps the alert's key: staff_alert_add dedupes on it
    for person in people:
        _page_person(page, person, next(keys, f"page:{page.pk}:0:{person.pk}"), Action.PAGED, now)
    if everyone:
        _page_everyone(page, next(keys, f"page:{page.pk}:all"), Action.EVERYONE if page.order else Action.PAGED, now)
    return bool(people) or everyone


def _reached(events) -> tuple[list, bool]:
    """(people, everyone): the people these pages were sent to, in order, and whether one reached the staff
    chain."""
    paged = list(events.filter(action__in=(Action.PAGED, Action.ESCALATED, Action.EVERYONE))
                 .select_related("person").order_by("at", "pk"))
    people = list(dict.fromkeys(event.person for event in paged if event.person is not None))
    return people, any(event.note == EVERYONE_NOTE for event in paged)


def _page_person(page, person, key, action, now) -> None:
    message = outbox_add(key=key, kind=page.kind, recipient=person.email or person.name,
                         payload=_payload(page, str(person.pk), person.name), addresses=person_addresses(person))
    AlertPageEvent.objects.create(page=page, at=now, action=action, person=person, message=message, note=person.name)


def _page_everyone(page, key, action, now) -> None:
    from steadfast.notify.alerts import staff_addresses  # notify.alerts imports this module

    addresses = staff_addresses()
    message = outbox_add(key=key, kind=page.kind, recipient=", ".join(addresses.get("email", [])) or "staff",
                         payload=_payload(page, EVERYONE, "everyone"), addresses=addresses)
    AlertPageEvent.objects.create(page=page, at=now, action=action, message=message, note=EVERYONE_NOTE)


def _payload(page, who, name) -> dict:
    payload = {**page.payload, "paged": name, "escalated": page.level > 0 and page.state == State.OPEN}
    target = page if page.state == State.OPEN else _follows(page)
    if target is not None:  # a notice or an all-clear has nothing to acknowledge: no link
        payload["ack_url"] = ack_url(target.pk, who)
    return payload


def _follows(page):
    """A reminder's link acknowledges the outage page it reminds of, while that one still pages."""
    if not page.episode:
        return None
    return AlertPage.objects.filter(episode=page.episode, state=State.OPEN).exclude(pk=page.pk).first()


def _tell_the_rest(page, who, person, now) -> None:
    payload = {"language": page.payload.get("language") or settings.LANGUAGE_CODE, "who": who,
               "summary": page.summary, "admin_url": _admin_url(page)}
    people, everyone = _reached(AlertPageEvent.objects.filter(page=page))
    for other in (other for other in people if other != person):
        message = outbox_add(key=f"page:{page.pk}:took:{other.pk}", kind=ACK_KIND,
                             recipient=other.email or other.name, payload=payload, addresses=person_addresses(other))
        AlertPageEvent.objects.create(page=page, at=now, action=Action.TOLD, person=other, message=message,
                                      note=other.name)
    if everyone:
        from steadfast.notify.alerts import staff_addresses

        addresses = staff_addresses()
        message = outbox_add(key=f"page:{page.pk}:took:all", kind=ACK_KIND,
                             recipient=", ".join(addresses.get("email", [])) or "staff", payload=payload,
                             addresses=addresses)
        AlertPageEvent.objects.create(page=page, at=now, action=Action.TOLD, message=message, note=EVERYONE_NOTE)


def _resolve(episode, key, now) -> list[AlertPage]:
    resolved = []
    for page in AlertPage.objects.filter(episode=episode, state__in=(State.OPEN, State.ACKNOWLEDGED)):
        if AlertPage.objects.filter(pk=page.pk, state=page.state).update(state=State.RESOLVED, closed_at=now):
            AlertPageEvent.objects.create(page=page, at=now, action=Action.RESOLVED, note=key[:300])
            resolved.append(page)
    return resolved


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
