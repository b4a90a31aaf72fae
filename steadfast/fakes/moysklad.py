"""A MoySklad JSON API 1.2 fake (https://api.moysklad.ru/api/remap/1.2): customer orders, counterparties, products,
the stock report, and a ledger of every order write.

    fake = FakeMoySklad(token="ms-token").start()      # api_base: fake.url + "/api/remap/1.2"
    GET/POST /entity/customerorder (?filter=externalCode=X)    GET/PUT /entity/customerorder/{id}
    GET/POST /entity/counterparty (?filter=email=X | phone=X)  GET/POST /entity/product (?filter=article=X)
    GET /entity/organization    GET /report/stock/all?limit=&offset=

Every call needs "Authorization: Bearer <token>" (401 with MoySklad's error 1056 otherwise). Errors have
MoySklad's shape {"errors": [{"error", "code"}]}. A second customer order with an existing externalCode is refused
(412), so a shop that creates twice would see it; money is in kopecks/cents as in the real API.

Faults: FakeServer's (ok, status (e.g. 401, 429, 503), slow, hang, reset, malformed) hit every request; hosted.py's
reset_after / hang_after first carry out the write, then lose the answer. `staff_edit(number, ...)` changes an
order as a person in MoySklad would (a newer `updated`). `fake.ledger` is the ground truth: `creates` (one
externalCode per customer order created) and `writes` (externalCode, state name) in the order they happened.
Run one: python -m steadfast.fakes.moysklad --port 8831
"""

import itertools
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

from steadfast.fakes.hosted import HostedGatewayFake, header, run
from steadfast.fakes.server import FakeRequest, FakeResponse

PREFIX = "/api/remap/1.2"
STATES = ("new", "paid", "shipped", "delivered", "cancelled", "refunded", "awaiting")
ORGANIZATION_ID = "3e7d8a52-0000-4000-8000-000000000001"


def _error(status, code, message):
    return FakeResponse(status, {"errors": [{"error": message, "code": code}]})


@dataclass
class MoySkladLedger:
    creates: list = field(default_factory=list)  # externalCode of every customer order created
    writes: list = field(default_factory=list)  # (externalCode, state name) of every create and update, in order
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, code, state, created):
        with self._lock:
            if created:
                self.creates.append(code)
            self.writes.append((code, state))


class FakeMoySklad(HostedGatewayFake):
    def __init__(self, host="127.0.0.1", port=0, webhook_url="", token="moysklad-demo-token"):
        super().__init__(host, port, webhook_url)
        self.token = token
        self.ledger = MoySkladLedger()
        self.orders, self.counterparties, self.products = {}, {}, {}  # id -> entity
        self.stock = {}  # article -> (stock, reserve): what the warehouse counts
        self._clock = itertools.count(1)

    @property
    def api_base(self) -> str:
        return self.url + PREFIX

    def _href(self, kind, entity_id) -> str:
        return f"{self.api_base}/entity/{kind}/{entity_id}"

    def _meta(self, kind, entity_id) -> dict:
        return {"href": self._href(kind, entity_id), "type": kind, "mediaType": "application/json"}

    def _updated(self) -> str:
        stamp = datetime(2026, 1, 1) + timedelta(milliseconds=next(self._clock))
        return stamp.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]

    def state_href(self, name) -> str:
        return f"{self.api_base}/entity/customerorder/metadata/states/{name}"

    def by_code(self, code) -> dict | None:
        with self._state_lock:
            return next((o for o in self.orders.values() if o["externalCode"] == code), None)

    def staff_edit(self, code, **changes):
        """Someone changes the order in MoySklad's own interface."""
        with self._state_lock:
            order = self.by_code(code)
            order.update(changes, updated=self._updated())

    # --- HTTP -----------------------------------------------------------------------------------------
    def handle(self, request: FakeRequest) -> FakeResponse:
        url = urlsplit(request.path)
        if not url.path.startswith(PREFIX + "/"):
            return super().handle(request)
        if header(request, "Authorization") != f"Bearer {self.token}":
            return _error(401, 1056, "Ошибка аутентификации: Неправильный пароль или имя пользователя или ключ")
        parts, query = url.path[len(PREFIX) + 1:].rstrip("/").split("/"), dict(parse_qsl(url.query))
        try:
            body = request.json() if request.body else {}
        except ValueError:
            return _error(400, 2016, "Ошибка формата JSON")
        if not isinstance(body, dict):
            return _error(400, 2016, "Ошибка формата JSON")
        with self._state_lock:
            return self._route(request.method, parts, query, body)

    def _route(self, method, parts, query, body) -> FakeResponse:
        if parts == ["entity", "organization"] and method == "GET":
            return self._list("organization", [{"id": ORGANIZATION_ID, "name": "Shop Ltd",
                                                "meta": self._meta("organization", ORGANIZATION_ID)}], query)
        if parts == ["report", "stock", "all"] and method == "GET":
            rows = [{"meta": self._meta("product", article), "article": article, "name": article, "stock": s,
                     "reserve": r, "quantity": s - r} for article, (s, r) in sorted(self.stock.items())]
            return self._list("stock", rows, query)
        collections = {"customerorder": self.orders, "counterparty": self.counterparties, "product": self.products}
        if len(parts) < 2 or parts[0] != "entity" or parts[1] not in collections:
            return _error(404, 1005, f"Неизвестный тип: {'/'.join(parts)}")
        kind, store = parts[1], collections[parts[1]]
        if len(parts) == 2 and method == "GET":
            rows = list(store.values())
            if "filter" in query:
                name, _, value = query["filter"].partition("=")
                rows = [row for row in rows if str(row.get(name, "")) == value]
            return self._list(kind, rows, query)
        if len(parts) == 2 and method == "POST":  # reset_after / hang_after: customer order writes only
            created = self._create(kind, store, body)
            return self.finish(created) if kind == "customerorder" else created
        if len(parts) == 3 and parts[2] in store and method == "GET":
            return FakeResponse(200, store[parts[2]])
        if len(parts) == 3 and parts[2] in store and method == "PUT" and kind == "customerorder":
            return self.finish(self._order_write(store[parts[2]], body, created=False))
        return _error(404, 1021, f"Объект с UUID {parts[-1]} не найден")

    def _list(self, kind, rows, query) -> FakeResponse:
        limit, offset = int(query.get("limit", 1000)), int(query.get("offset", 0))
        return FakeResponse(200, {"meta": {"href": f"{self.api_base}/entity/{kind}", "type": kind,
                                           "size": len(rows), "limit": limit, "offset": offset},
                                  "rows": rows[offset:offset + limit]})

    def _create(self, kind, store, body) -> FakeResponse:
        if not body.get("name"):
            return _error(412, 3000, "Ошибка сохранения объекта: поле 'name' не может быть пустым")
        entity_id = str(uuid.uuid4())
        if kind == "customerorder":
            code = body.get("externalCode")
            if any(o["externalCode"] == code for o in store.values()):
                return _error(412, 3006, f"Документ с externalCode {code} уже существует")
            if not isinstance(body.get("agent"), dict) or not isinstance(body.get("organization"), dict):
                return _error(412, 3000, "Ошибка сохранения объекта: не указаны контрагент или организация")
            store[entity_id] = {"id": entity_id, "meta": self._meta(kind, entity_id), "externalCode": code}
            return self._order_write(store[entity_id], body, created=True)
        store[entity_id] = {**body, "id": entity_id, "meta": self._meta(kind, entity_id), "updated": self._updated()}
        return FakeResponse(200, store[entity_id])

    def _order_write(self, order, body, created) -> FakeResponse:
        positions = body.get("positions", order.get("positions", []))
        def valid(p):
            return isinstance(p, dict) and isinstance(p.get("price"), int) and p.get("quantity", 0) > 0

        if not isinstance(positions, list) or not all(valid(p) for p in positions):
            return _error(412, 3000, "Ошибка сохранения объекта: позиции заполнены неверно")
        fields = ("name", "agent", "organization", "state", "description", "shipmentAddress", "moment", "applicable")
        order.update({name: body[name] for name in fields if name in body})
        order.update(positions=positions, sum=sum(p["price"] * p["quantity"] for p in positions),
                     updated=self._updated())
        state = (order.get("state") or {}).get("meta", {}).get("href", "").rsplit("/", 1)[-1]
        self.ledger.add(order["externalCode"], state, created)
        return FakeResponse(200, dict(order))


if __name__ == "__main__":
    run(FakeMoySklad, "Run the MoySklad JSON API 1.2 fake on loopback.", 8831)
