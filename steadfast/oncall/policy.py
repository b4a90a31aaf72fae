"""Which shop alerts are critical, and which alerts belong to one episode (one outage: out, reminders, back).

Critical alerts page people in their quiet hours too; the others skip them. Critical means "shoppers cannot pay":
- a payment provider out of service (providers/alerting.py alert "out" for a provider of kind payment);
- a synthetic test purchase failing (steadfast/synthetic: payload ok false).
Not critical: a provider back, reminders of an outage already paged, background calls failing, providers switched
on or off by staff, carriers, channels and accounting out (the shop still sells), outbox and shipment alarms,
incidents staff opened, security notices, held campaigns, "needs a look" problems. A caller can say otherwise with
staff_alert_add(critical=True).

An episode groups the alerts of one cause so the all-clear resolves the open page of the outage:
- provider alerts: "staff_alert:episode:<episode id>:<n>" -> "provider:<episode id>"; "back" and
  "background_back" resolve it;
- alarms (outbox, shipments): "<kind>:<topic>:<alarm id>:start|end" -> "<kind>:<topic>:<alarm id>"; "end" resolves;
- synthetic purchases: per payment + delivery pair; a purchase that works again resolves it;
- accounting backlog: "staff_accounting:<target>:start|end:..." -> per target; "end" resolves.
Other alerts are an episode of their own (acknowledging them is the only way to stop their escalation).

Notices (alert_notice) are "for information" pages, sent once and never escalated: nobody needs to act on them.
- a provider switched off or on by staff (they did it themselves); switching a provider off in an outage also
  ends the outage's episode (providers/alerting.py sends it with the episode): it resolves the outage's page;
- security notices (login lockouts, unpaid orders piling up, large reservations): an attacker decides how many
  there are, so each must not walk the whole rota.
"""

import re

_PROVIDER = re.compile(r"^staff_alert:episode:(\d+):\d+$")
_ALARM = re.compile(r"^(staff_[a-z_]+:[a-z_]+:\d+):(start|end)$")
_ACCOUNTING = re.compile(r"^staff_accounting:(\d+):([a-z_]+):")
RESOLVING_ALERTS = {"back", "background_back", "disabled"}
STAFF_ACTIONS = {"disabled", "enabled"}
NOTICE_KINDS = {"staff_security_alert"}


def alert_critical(kind: str, payload: dict) -> bool:
    if kind == "staff_alert":
        return payload.get("alert") == "out" and payload.get("kind") == "payment"
    if kind == "staff_synthetic":
        return payload.get("ok") is False
    return False


def alert_notice(kind: str, payload: dict) -> bool:
    """True for an alert nobody needs to act on: an information page, never escalated."""
    return kind in NOTICE_KINDS or (kind == "staff_alert" and payload.get("alert") in STAFF_ACTIONS)


def alert_episode(key: str, kind: str, payload: dict) -> tuple[str, bool]:
    """(episode, resolves): the episode this alert belongs to ("" for none) and whether it is the all-clear."""
    if match := _PROVIDER.match(key):
        return f"provider:{match[1]}", payload.get("alert") in RESOLVING_ALERTS
    if match := _ALARM.match(key):
        return match[1], match[2] == "end"
    if kind == "staff_synthetic" and payload.get("payment"):
        return f"synthetic:{payload['payment']}+{payload.get('delivery', '')}"[:120], bool(payload.get("ok"))
    if match := _ACCOUNTING.match(key):
        return f"accounting:{match[1]}", match[2] == "end"
    return "", False
