"""Statuspage.io-compatible public JSON (api/v2/*.json) built from the snapshot.

Shapes follow Statuspage's public API (https://<page>.statuspage.io/api/v2/): status, summary, components,
incidents, incidents/unresolved, scheduled-maintenances, scheduled-maintenances/upcoming and /active. Component
groups are components with "group": true listing their members; members carry "group_id".
"""

PAGE_ID = "steadfast"
# Statuspage's incident statuses; a cancelled window is not published (Statuspage deletes those).
PUBLISHED_WINDOW = {"scheduled", "in_progress", "completed"}


def page_url(snapshot) -> str:
    return snapshot["site_url"].rstrip("/") + "/status/"


def _page(snapshot):
    return {
        "id": PAGE_ID,
        "name": snapshot["shop_name"],
        "url": page_url(snapshot),
        "time_zone": "Etc/UTC",
        "updated_at": snapshot["generated_at"],
    }


def status_json(snapshot) -> dict:
    return {
        "page": _page(snapshot),
        "status": {"indicator": snapshot["indicator"], "description": snapshot["description"]},
    }


def _component(c, created_at, group_id=None, members=None):
    return {
        "id": c["id"],
        "name": c["name"],
        "status": c["status"],
        "created_at": created_at,
        "updated_at": c["updated_at"],
        "position": c["position"],
        "description": None,
        "showcase": members is None,
        "start_date": None,
        "group_id": group_id,
        "page_id": PAGE_ID,
        "group": members is not None,
        "only_show_if_degraded": False,
        **({"components": members} if members is not None else {}),
    }


def components_list(snapshot) -> list:
    created = snapshot["generated_at"]
    items = [_component(c, created, c.get("group_id")) for c in snapshot["components"]]
    items += [_component(g, created, None, g["components"]) for g in snapshot.get("groups", [])]
    return sorted(items, key=lambda item: (item["position"], not item["group"]))


def _updates(item, parent_id, names):
    return [
        {
            "id": u["id"],
            "status": u["status"],
            "body": u["body"],
            "incident_id": parent_id,
            "created_at": u["created_at"],
            "updated_at": u["created_at"],
            "display_at": u["created_at"],
            "affected_components": [
                {"code": cid, "name": names.get(cid, cid), "old_status": None, "new_status": None}
                for cid in item["components"]
            ],
        }
        for u in item["updates"]
    ]


def _incident(i, names, url):
    return {
        "id": i["id"],
        "name": i["name"],
        "status": i["status"],
        "impact": i["impact"],
        "created_at": i["created_at"],
        "updated_at": i["updated_at"],
        "monitoring_at": i["monitoring_at"],
        "resolved_at": i["resolved_at"],
        "started_at": i["created_at"],
        "page_id": PAGE_ID,
        "shortlink": f"{url}incidents/{i['id']}/",
        "postmortem_body": i["postmortem"] or None,
        "components": [{"id": cid, "name": names.get(cid, cid)} for cid in i["components"]],
        "incident_updates": _updates(i, i["id"], names),
    }


def _maintenance(m, names, url):
    return {
        "id": m["id"],
        "name": m["name"],
        "status": m["status"],
        "impact": "maintenance",
        "created_at": m["created_at"],
        "updated_at": m["updated_at"],
        "monitoring_at": None,
        "resolved_at": m["scheduled_until"] if m["status"] == "completed" else None,
        "started_at": m["scheduled_for"],
        "scheduled_for": m["scheduled_for"],
        "scheduled_until": m["scheduled_until"],
        "page_id": PAGE_ID,
        "shortlink": f"{url}maintenance/{m['id']}/",
        "components": [{"id": cid, "name": names.get(cid, cid)} for cid in m["components"]],
        "incident_updates": _updates(m, m["id"], names),
    }


def _names(snapshot):
    return {c["id"]: c["name"] for c in snapshot["components"]}


def incidents_list(snapshot, unresolved_only=False) -> list:
    names, url = _names(snapshot), page_url(snapshot)
    items = snapshot["incidents"] + ([] if unresolved_only else snapshot["past_incidents"])
    items = sorted(items, key=lambda i: i["created_at"], reverse=True)
    return [_incident(i, names, url) for i in items]


def maintenances_list(snapshot, statuses=PUBLISHED_WINDOW) -> list:
    names, url = _names(snapshot), page_url(snapshot)
    return [_maintenance(m, names, url) for m in snapshot.get("maintenances", []) if m["status"] in statuses]


def summary_json(snapshot) -> dict:
    return {
        **status_json(snapshot),
        "components": components_list(snapshot),
        "incidents": incidents_list(snapshot, unresolved_only=True),
        "scheduled_maintenances": maintenances_list(snapshot, {"scheduled", "in_progress"}),
        # Not in Statuspage's shape: the last synthetic checkout results, for steadfast-watch ({} before the first).
        "synthetic_checkout": snapshot.get("synthetic_checkout") or {},
    }


# File name under api/v2/ -> the document, for the views, the export and the nginx fallback alike.
ENDPOINTS = {
    "status.json": status_json,
    "summary.json": summary_json,
    "components.json": lambda s: {"page": _page(s), "components": components_list(s)},
    "incidents.json": lambda s: {"page": _page(s), "incidents": incidents_list(s)},
    "incidents/unresolved.json": lambda s: {"page": _page(s), "incidents": incidents_list(s, True)},
    "scheduled-maintenances.json": lambda s: {"page": _page(s), "scheduled_maintenances": maintenances_list(s)},
    "scheduled-maintenances/upcoming.json": lambda s: {
        "page": _page(s),
        "scheduled_maintenances": maintenances_list(s, {"scheduled"}),
    },
    "scheduled-maintenances/active.json": lambda s: {
        "page": _page(s),
        "scheduled_maintenances": maintenances_list(s, {"in_progress"}),
    },
}
