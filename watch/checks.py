"""What the shop looks like from outside, and the decision down/degraded/up with hysteresis.

One round asks /healthz, /readyz, a catalog page and the public status JSON. Any of the first three failing means
shoppers cannot buy ("down"); the shop answering while its status page reports a problem, the status JSON failing,
a failed synthetic checkout (the JSON's synthetic_checkout) or a missing worker/scheduler heartbeat (readyz detail)
is "degraded". One round never changes the state (Hysteresis).
"""

from dataclasses import dataclass, field

import httpx

UP, DEGRADED, DOWN = "up", "degraded", "down"
SEVERITY = {UP: 0, DEGRADED: 1, DOWN: 2}


@dataclass(frozen=True)
class Round:
    state: str
    problems: tuple[str, ...]
    status_description: str = ""
    components: dict = field(default_factory=dict)  # status page component id -> status (for the SLA report)
    # The status page's open incidents (id, name, url, components): the SLA report names them as evidence.
    incidents: tuple[dict, ...] = ()


def check_round(client: httpx.Client, shop_url: str, catalog_path: str) -> Round:
    problems, answers = [], {}
    for name, path in (("healthz", "/healthz"), ("readyz", "/readyz"), ("catalog page", catalog_path)):
        problem, answers[name] = _get(client, shop_url + path)
        if problem:
            problems.append(f"{name}: {problem}")
    if problems:
        return Round(DOWN, tuple(problems))
    problems = _background_problems(answers["readyz"])
    try:
        response = client.get(shop_url + "/status/api/v2/summary.json")
        response.raise_for_status()
        summary = response.json()
        indicator, description = summary["status"]["indicator"], summary["status"].get("description", "")
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as error:
        return Round(DEGRADED, (*problems, f"status JSON: {_describe(error)}"))
    if indicator != "none":
        problems.append(f"status page: {description or indicator}")
    problems.extend(synthetic_problems(summary.get("synthetic_checkout")))
    components = {c["id"]: c["status"] for c in summary.get("components", [])
                  if isinstance(c, dict) and isinstance(c.get("id"), str) and isinstance(c.get("status"), str)}
    return Round(DEGRADED if problems else UP, tuple(problems), description, components,
                 open_incidents(summary.get("incidents")))


def open_incidents(items) -> tuple[dict, ...]:
    """The summary JSON's unresolved incidents, reduced to what a penalty claim needs to name them."""
    if not isinstance(items, list):
        return ()
    return tuple({"id": str(i["id"]), "name": str(i.get("name") or "")[:200], "url": str(i.get("shortlink") or ""),
                  "components": [c["id"] for c in i.get("components") or [] if isinstance(c, dict)
                                 and isinstance(c.get("id"), str)]}
                 for i in items if isinstance(i, dict) and isinstance(i.get("id"), str | int))


def synthetic_problems(result) -> list[str]:
    """The shop's last synthetic checkouts (summary JSON): each failed payment/delivery pair is a problem."""
    if not isinstance(result, dict) or result.get("ok") is not False:
        return []
    return [f"test purchase {f.get('payment')}+{f.get('delivery')} failed at {f.get('step')}: {f.get('detail')}"
            for f in result.get("failed", []) if isinstance(f, dict)] or ["test purchase failed"]


def _get(client, url) -> tuple[str, httpx.Response | None]:
    try:
        response = client.get(url)
    except httpx.HTTPError as error:
        return _describe(error), None
    return ("" if response.status_code == 200 else f"HTTP {response.status_code}"), response


def _background_problems(readyz: httpx.Response) -> list[str]:
    """The shop's worker/scheduler heartbeats (readyz detail): missing beats mean no e-mails, no expiries."""
    try:
        background = readyz.json().get("background") or {}
    except (ValueError, AttributeError):
        return []
    return [f"{kind}: no heartbeat for {beat['age_seconds']} s" if beat.get("age_seconds") is not None
            else f"{kind}: no heartbeat recorded"
            for kind, beat in background.items() if isinstance(beat, dict) and beat.get("ok") is False]


def _describe(error) -> str:
    if isinstance(error, httpx.TimeoutException):
        return "no answer in time"
    if isinstance(error, httpx.ConnectError):
        return "connection refused or unreachable"
    if isinstance(error, httpx.HTTPStatusError):
        return f"HTTP {error.response.status_code}"
    return type(error).__name__


class Hysteresis:
    """The confirmed state moves to a worse one only after `down_after` rounds in a row all worse than it, and to a
    better one only after `up_after` rounds in a row all better. One bad round in a good hour alerts nobody, and
    a shop coming back needs several good rounds before "back up" is announced (no flapping alerts)."""

    def __init__(self, down_after: int, up_after: int, state: str = UP):
        self.down_after, self.up_after, self.state = down_after, up_after, state
        self.recent: list[str] = []

    def observe(self, observed: str) -> tuple[str, str] | None:
        """Record one round; returns (old, new) when the confirmed state changes."""
        self.recent = (self.recent + [observed])[-max(self.down_after, self.up_after):]
        current = SEVERITY[self.state]
        worse = self.recent[-self.down_after:]
        better = self.recent[-self.up_after:]
        if len(worse) == self.down_after and all(SEVERITY[s] > current for s in worse):
            new = min(worse, key=SEVERITY.get)
        elif len(better) == self.up_after and all(SEVERITY[s] < current for s in better):
            new = max(better, key=SEVERITY.get)
        else:
            return None
        old, self.state = self.state, new
        return old, new
