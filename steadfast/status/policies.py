"""Policies: "when <condition>, do <actions>", evaluated every minute and on every provider health change.

A policy fires once when its condition starts holding (active_since set) and clears once when it stops; each
action is taken under a row lock on the policy, so the tick task and a health signal racing each other (or two
nodes) act once. Everything done is recorded: a PolicyEvent per action, plus the ModeChange or incident update
the action itself writes. policies_dry_run() answers the same questions and writes nothing.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from steadfast.providers.models import Provider
from steadfast.status.components import out_since, payment_health, provider_health
from steadfast.status.incidents import components_of, incident_open, incident_update
from steadfast.status.models import Action, Condition, Impact, Incident, IncidentStatus, Mode, Policy, PolicyEvent
from steadfast.status.selectors import banner_cache_clear, current_mode, policies_holding_mode, policy_cache_clear
from steadfast.status.services import shop_mode_set
from steadfast.status.traffic import error_rate

ACTOR = "policy"


@dataclass
class Check:
    holds: bool
    reason: str
    components: list = field(default_factory=list)
    impact: str = Impact.MAJOR


@dataclass
class Verdict:
    policy: Policy
    fires: bool  # the condition holds now
    reason: str
    plan: list  # what evaluating now would do (dry run) or did


def condition_check(policy, now=None) -> Check:
    now = now or timezone.now()
    if policy.condition == Condition.PAYMENTS_ONLINE_OUT:
        online, healthy, _offline = payment_health()
        components = [f"payment-{p.code}" for p in online]
        if not online:
            return Check(False, _("No online payment gateway is enabled."))
        if healthy:
            return Check(False, _("Working: %(names)s.") % {"names": ", ".join(p.name for p in healthy)})
        return Check(True, _("Out: %(names)s.") % {"names": ", ".join(p.name for p in online)}, components)
    if policy.condition == Condition.PROVIDER_OUT:
        providers = list(Provider.objects.filter(kind=policy.provider_kind, enabled=True))
        health = provider_health(providers)
        limit = timedelta(seconds=policy.out_seconds)
        out = [p for p in providers if health[p.id].out and (since := out_since(p)) and now - since >= limit]
        if not out:
            return Check(False, _("No %(kind)s provider out longer than %(seconds)s s.") % _kind_args(policy))
        components = sorted({c for p in out for c in components_of(p)})
        impact = Impact.MAJOR if policy.provider_kind == Provider.Kind.PAYMENT else Impact.MINOR
        return Check(True, _("Out: %(names)s.") % {"names": ", ".join(p.name for p in out)}, components, impact)
    total, errors = error_rate(policy.window_minutes, now.timestamp())
    args = {"errors": errors, "total": total, "minutes": policy.window_minutes, "limit": policy.error_percent}
    reason = _("%(errors)s of %(total)s responses were 5xx in the last %(minutes)s min (limit %(limit)s %%).") % args
    holds = total >= max(policy.min_requests, 1) and errors * 100 > policy.error_percent * total
    return Check(holds, reason, ["website"])


def _kind_args(policy):
    return {"kind": Provider.Kind(policy.provider_kind).label if policy.provider_kind else "?",
            "seconds": policy.out_seconds}


def policies_dry_run(now=None) -> list[Verdict]:
    """For each policy: would it fire now, and what would it do. Reads only."""
    verdicts = []
    for policy in Policy.objects.all():
        if not policy.enabled:
            verdicts.append(Verdict(policy, False, _("Disabled."), []))
            continue
        check = condition_check(policy, now)
        if check.holds and policy.active_since is None:
            plan = [_plan_fire(policy, action) for action in policy.actions]
        elif not check.holds and policy.active_since is not None:
            plan = [_("Clear: undo “%(action)s”.") % {"action": Action(a).label} for a in policy.actions]
        else:
            plan = [_("Nothing: already active.") if check.holds else _("Nothing.")]
        verdicts.append(Verdict(policy, check.holds, check.reason, plan))
    return verdicts


def _plan_fire(policy, action):
    if action == Action.SET_MODE:
        mode = current_mode()
        if not _mode_is_automatic(mode):
            return _("Leave the mode as staff set it (%(mode)s).") % {"mode": mode.label}
        return _("Set the shop mode to %(mode)s.") % {"mode": Mode(policy.mode).label}
    return {
        Action.BANNER: _("Show the automatic banner."),
        Action.INCIDENT: _("Open a public incident."),
        Action.OFFLINE_FIRST: _("List offline payment methods first at checkout."),
    }[action]


def policies_evaluate(now=None) -> list[Verdict]:
    """Fire policies whose condition started holding, clear those whose condition stopped. Idempotent."""
    done = []
    for policy_id in Policy.objects.filter(enabled=True).values_list("id", flat=True):
        with transaction.atomic():
            policy = Policy.objects.select_for_update().get(pk=policy_id)
            check = condition_check(policy, now)
            if check.holds and policy.active_since is None:
                plan = _fire(policy, check)
            elif not check.holds and policy.active_since is not None:
                plan = _clear(policy)
            else:
                continue
        _changed()
        done.append(Verdict(policy, check.holds, check.reason, plan))
    # A policy staff disabled while it was active must not hold the shop in its state for ever.
    for policy in Policy.objects.filter(enabled=False, active_since__isnull=False):
        with transaction.atomic():
            done.append(Verdict(policy, False, _("Disabled."), _clear(policy)))
        _changed()
    return done


def _changed():
    # Checkout order and the banner read active policies through short caches: show the change at once.
    policy_cache_clear()
    banner_cache_clear()


def _record(policy, action, detail):
    PolicyEvent.objects.create(policy=policy, action=action, detail=detail)
    return detail


def _mode_is_automatic(mode):
    # Never override a mode a person chose; "open" and automatic modes are ours to change.
    return mode.mode == Mode.OPEN or mode.automatic


def _fire(policy, check) -> list:
    policy.active_since = timezone.now()
    policy.save(update_fields=["active_since", "updated_at"])
    plan = [_record(policy, "fired", check.reason)]
    for action in policy.actions:
        if action == Action.SET_MODE:
            mode = current_mode()
            if not _mode_is_automatic(mode):
                plan.append(_record(policy, action, _("Mode left as staff set it: %(mode)s.") % {"mode": mode.mode}))
            elif mode.mode != policy.mode:
                reason = _("Policy “%(name)s”: %(reason)s") % {"name": policy.name, "reason": check.reason}
                shop_mode_set(policy.mode, actor=f"{ACTOR}: {policy.name}"[:150], automatic=True, reason=reason)
                plan.append(_record(policy, action, _("Mode set to %(mode)s.") % {"mode": policy.mode}))
        elif action == Action.INCIDENT:
            plan.append(_record(policy, action, _open_incident(policy, check)))
        else:
            label = {Action.BANNER: _("Automatic banner on."), Action.OFFLINE_FIRST: _("Offline methods first.")}
            plan.append(_record(policy, action, label[action]))
    return plan


def _open_incident(policy, check):
    if policy.incident_id and policy.incident.is_open:
        return _("Incident #%(id)s is still open.") % {"id": policy.incident_id}
    covering = _provider_incidents_covering(check.components)
    if covering:  # the providers' own incidents already tell customers: one outage, not one more incident
        return _("Already told by incident(s) %(ids)s.") % {"ids": ", ".join(f"#{i}" for i in covering)}
    title, message = incident_texts(policy, check)
    incident = incident_open(title, message, check.components, check.impact, author=ACTOR, automatic=True)
    policy.incident = incident
    policy.save(update_fields=["incident", "updated_at"])
    return _("Incident #%(id)s opened.") % {"id": incident.id}


def _provider_incidents_covering(components) -> list:
    """Ids of the open automatic provider incidents, if together they name every one of `components`."""
    rows = list(
        Incident.objects.filter(automatic=True, provider__isnull=False)
        .exclude(status=IncidentStatus.RESOLVED)
        .values_list("id", "components")
    )
    named = {c for _id, components_ in rows for c in components_}
    return [i for i, _c in rows] if components and set(components) <= named else []


def incident_texts(policy, check):
    if policy.condition == Condition.PAYMENTS_ONLINE_OUT:
        title = _("Online payments are unavailable")
        message = _("Card and online payments do not work at the moment. You can still order and pay on delivery "
                    "or by bank transfer.")
    elif policy.condition == Condition.PROVIDER_OUT:
        title = _("%(kind)s: a provider is unavailable") % _kind_args(policy)
        message = _("Some services do not work at the moment; other options still work. We are on it.")
    else:
        title = _("The website is having problems")
        message = _("Some pages fail to load at the moment. We are on it; please try again in a few minutes.")
    return title, (policy.message.strip() or message)


def _clear(policy) -> list:
    plan = [_record(policy, "cleared", _("The condition no longer holds."))]
    policy.active_since = None
    policy.save(update_fields=["active_since", "updated_at"])
    if Action.SET_MODE in policy.actions:
        mode = current_mode()
        if mode.mode == policy.mode and mode.automatic and not policies_holding_mode(exclude=policy.id):
            any_out = any(h.out for h in provider_health(Provider.objects.filter(enabled=True)).values())
            back = Mode.DEGRADED if any_out else Mode.OPEN
            shop_mode_set(back, actor=f"{ACTOR}: {policy.name}"[:150], automatic=back != Mode.OPEN,
                          reason=_("Policy “%(name)s” cleared.") % {"name": policy.name})
            plan.append(_record(policy, Action.SET_MODE, _("Mode set back to %(mode)s.") % {"mode": back}))
    incident = policy.incident
    if Action.INCIDENT in policy.actions and incident is not None and incident.status in (
        IncidentStatus.INVESTIGATING, IncidentStatus.IDENTIFIED
    ):
        incident_update(incident, IncidentStatus.RESOLVED, _("It works again. Resolved."), author=ACTOR)
        detail = _("Incident #%(id)s resolved.") % {"id": incident.id}
        plan.append(_record(policy, Action.INCIDENT, detail))
    return plan

