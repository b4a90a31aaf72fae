"""Statuspage.io-compatible JSON (api/v2/summary.json and status.json) built from the snapshot."""

PAGE_ID = "steadfast"


def _page(snapshot):
    return {
        "id": PAGE_ID,
        "name": snapshot["shop_name"],
        "url": snapshot["site_url"].rstrip("/") + "/status/",
        "time_zone": "Etc/UTC",
        "updated_at": snapshot["generated_at"],
    }


def status_json(snapshot) -> dict:
    return {
        "page": _page(snapshot),
        "status": {"indicator": snapshot["indicator"], "description": snapshot["description"]},
    }


def _component(c, created_at):
    return {
        "id": c["id"],
        "name": c["name"],
        "status": c["status"],
        "created_at": created_at,
        "updated_at": c["updated_at"],
        "position": c["position"],
        "description": None,
        "showcase": True,
        "start_date": None,
        "group_id": None,
        "page_id": PAGE_ID,
        "group": False,
        "only_show_if_degraded": False,
    }


def _incident(i, names):
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
        "shortlink": None,
        "components": [{"id": cid, "name": names.get(cid, cid)} for cid in i["components"]],
        "incident_updates": [
            {
                "id": u["id"],
                "status": u["status"],
                "body": u["body"],
                "incident_id": i["id"],
                "created_at": u["created_at"],
                "updated_at": u["created_at"],
                "display_at": u["created_at"],
            }
            for u in i["updates"]
        ],
    }


def summary_json(snapshot) -> dict:
    names = {c["id"]: c["name"] for c in snapshot["components"]}
    return {
        **status_json(snapshot),
        "components": [_component(c, snapshot["generated_at"]) for c in snapshot["components"]],
        "incidents": [_incident(i, names) for i in snapshot["incidents"]],
        "scheduled_maintenances": [],
    }
