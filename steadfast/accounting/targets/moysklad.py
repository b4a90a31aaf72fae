"""MoySklad JSON API 1.2 (https://api.moysklad.ru/api/remap/1.2): customer orders pushed, stock read back.

I/O only. Token: STEADFAST_<CODE>_TOKEN (Bearer). Config: api_base, organization_id, states (our order status ->
MoySklad customer-order state id, from /entity/customerorder/metadata), optional store_id.

- Our order number is the customer order's name and externalCode. Every push first looks the order up by
  externalCode: after a create whose answer was lost, the retry finds the first one and updates it instead of
  creating a second.
- The counterparty is found by e-mail, then by phone, and created only when neither finds one.
- A customer order whose `updated` is not the one our last write got back was changed in MoySklad by someone:
  push() returns it as `theirs` (a conflict for staff) and writes nothing.
"""

import threading
from decimal import Decimal

from steadfast.accounting.targets.base import AccountingTarget, Known, Pushed
from steadfast.providers.call import check_response, response_json
from steadfast.providers.errors import Rejected, Unavailable
from steadfast.providers.secrets import provider_secret

DEFAULT_API_BASE = "https://api.moysklad.ru/api/remap/1.2"
PAGE = 1000
_products = {}  # (api_base, article) -> product meta: products do not move, one lookup per process is enough
_products_lock = threading.Lock()


def cents(amount: str) -> int:
    return int((Decimal(amount) * 100).to_integral_value())


class MoySkladTarget(AccountingTarget):
    def _api(self, client, method, path, **kwargs):
        token = provider_secret(self.provider, "token")
        headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "gzip",
                   "Accept": "application/json;charset=utf-8"}
        response = check_response(client.request(method, self.provider.config.get("api_base", "").rstrip("/") + path,
                                                 headers=headers, **kwargs))
        body = response_json(response)
        if response.status_code >= 400:
            errors = body.get("errors") if isinstance(body, dict) else None
            text = "; ".join(str(e.get("error", "")) for e in errors if isinstance(e, dict)) if errors else ""
            raise Rejected(f"HTTP {response.status_code}: {text or 'refused'}")
        if not isinstance(body, dict):
            raise Unavailable(f"HTTP {response.status_code}: not a MoySklad object")
        return body

    def _rows(self, client, path, **params) -> list:
        rows = self._api(client, "GET", path, params=params).get("rows")
        if not isinstance(rows, list):
            raise Unavailable("MoySklad list without rows")
        return rows

    def _meta(self, kind, entity_id) -> dict:
        base = self.provider.config.get("api_base", "").rstrip("/")
        return {"meta": {"href": f"{base}/entity/{kind}/{entity_id}", "type": kind, "mediaType": "application/json"}}

    def probe(self, client):
        """A cheap authenticated read."""
        self._rows(client, "/entity/organization", limit=1)

    # --- orders ---------------------------------------------------------------------------------------
    def push(self, client, *, payload, kind, event_id, seq, known: Known | None) -> Pushed:
        number = payload["number"]
        found = self._rows(client, "/entity/customerorder", filter=f"externalCode={number}")
        body = self._order_body(client, payload)
        if not found:
            agent = self._counterparty(client, payload)
            created = self._api(client, "POST", "/entity/customerorder", json={
                **body, "agent": {"meta": agent["meta"]},
                "organization": self._meta("organization", self._organization())})
            return Pushed(str(created.get("id", "")), str(created.get("updated", "")))
        theirs = found[0]
        if known is not None and known.version and str(theirs.get("updated", "")) != known.version:
            return Pushed(str(theirs.get("id", "")), str(theirs.get("updated", "")), theirs=_summary(theirs))
        updated = self._api(client, "PUT", f"/entity/customerorder/{theirs['id']}", json=body)
        return Pushed(str(updated.get("id", "")), str(updated.get("updated", "")))

    def _organization(self) -> str:
        return str(self.provider.config.get("organization_id", ""))

    def _order_body(self, client, payload) -> dict:
        address = payload.get("address") or {}
        place = ", ".join(v for v in (address.get("line1"), address.get("line2"), address.get("postcode"),
                                      address.get("city"), address.get("country")) if v)
        body = {
            "name": payload["number"],
            "externalCode": payload["number"],
            "description": f"{payload.get('name', '')}, {payload.get('email', '')}, {payload.get('phone', '')}; "
                           f"{(payload.get('delivery') or {}).get('name', '')}; "
                           f"{(payload.get('payment') or {}).get('name', '')}",
            "shipmentAddress": place,
            "positions": [{"quantity": line["quantity"], "price": cents(line["unit_price"]),
                           "assortment": self._product(client, line)} for line in payload.get("lines", [])],
        }
        state = (self.provider.config.get("states") or {}).get(payload.get("status"))
        if state:
            base = self.provider.config.get("api_base", "").rstrip("/")
            body["state"] = {"meta": {"href": f"{base}/entity/customerorder/metadata/states/{state}", "type": "state",
                                      "mediaType": "application/json"}}
        return body

    def _counterparty(self, client, payload) -> dict:
        for name in ("email", "phone"):
            if payload.get(name):
                rows = self._rows(client, "/entity/counterparty", filter=f"{name}={payload[name]}")
                if rows:
                    return rows[0]
        return self._api(client, "POST", "/entity/counterparty", json={
            "name": payload.get("name") or payload.get("email"), "email": payload.get("email", ""),
            "phone": payload.get("phone", ""), "companyType": "individual"})

    def _product(self, client, line) -> dict:
        key = (self.provider.config.get("api_base", ""), line["sku"])
        meta = _products.get(key)
        if meta is None:
            rows = self._rows(client, "/entity/product", filter=f"article={line['sku']}")
            product = rows[0] if rows else self._api(client, "POST", "/entity/product", json={
                "name": line["name"], "article": line["sku"], "externalCode": line["sku"]})
            meta = {"meta": product["meta"]}
            with _products_lock:
                _products[key] = meta
        return meta

    # --- stock ----------------------------------------------------------------------------------------
    def stock(self, client) -> dict[str, int]:
        """Units free to sell per article (stock minus MoySklad's own reserve), every page of the report."""
        found, offset = {}, 0
        while True:
            rows = self._rows(client, "/report/stock/all", limit=PAGE, offset=offset)
            for row in rows:
                if isinstance(row, dict) and row.get("article") and isinstance(row.get("quantity"), int | float):
                    found[str(row["article"])] = max(int(row["quantity"]), 0)
            if len(rows) < PAGE:
                return found
            offset += PAGE


def _summary(theirs: dict) -> dict:
    """Their version, as staff need to see it next to ours."""
    keep = ("name", "externalCode", "updated", "sum", "description", "shipmentAddress", "state", "positions")
    return {name: theirs[name] for name in keep if name in theirs}
