"""CDEK API v2 over httpx (https://api.cdek.ru/v2, test: https://api.edu.cdek.ru/v2): quotes, points, orders.

I/O only, as every adapter: no database, no retries of its own, no decisions. Methods take the httpx client that
providers.call.call() hands out (base_url = config "api_base", e.g. https://api.cdek.ru).

- Auth: OAuth 2 client credentials (POST /v2/oauth/token) with STEADFAST_<CODE>_CLIENT_ID and
  STEADFAST_<CODE>_CLIENT_SECRET. The bearer token is kept in this process until shortly before it expires; a 401
  on an API call (token revoked or expired early) fetches a new one and repeats the request once.
- Orders are registered asynchronously: POST /v2/orders answers 202 with the entity uuid and a request in state
  ACCEPTED; GET /v2/orders/{uuid} later shows SUCCESSFUL (with cdek_number, the tracking number) or INVALID.
  Our order number is sent as the order's `number`: CDEK refuses a second order with the same number, and
  find_shipment() (GET /v2/orders?im_number=...) finds the first one after a create whose answer was lost.
"""

import json
import threading
import time
from urllib.parse import urlsplit

import httpx

from steadfast.providers.call import check_response, response_json
from steadfast.providers.errors import Misconfigured, Rejected, Unavailable
from steadfast.providers.secrets import provider_secret
from steadfast.shipping.carriers.cdek_answers import (
    answer_errors,
    entity_uuid,
    error_messages,
    json_or_none,
    location_json,
    option_from_tariff,
    point_from_answer,
    shipment_info,
    shop_currency,
)
from steadfast.shipping.interface import (
    Carrier,
    CarrierEvent,
    Location,
    Option,
    Parcel,
    PickupPoint,
    ShipmentInfo,
    ShipmentRequest,
    ShipmentState,
    TrackingEvent,
)

DEFAULT_API_BASE = "https://api.cdek.ru"
# CDEK's currency codes (calculator "currency" parameter); prices come back in the currency asked for.
CURRENCIES = {"RUB": 1, "KZT": 2, "USD": 3, "EUR": 4, "GBP": 5, "CNY": 6, "BYN": 7, "UAH": 8, "KGS": 9, "AMD": 10,
              "TRY": 11, "THB": 12, "KRW": 13, "AED": 14, "UZS": 15, "MNT": 16, "PLN": 17, "AZN": 18, "GEL": 19}
TOKEN_MARGIN = 60  # seconds: a token this close to its expiry is renewed before use
_tokens = {}  # (api_base, client id) -> (token, monotonic expiry)
_tokens_lock = threading.Lock()


class CdekCarrier(Carrier):
    # --- quotes and points -------------------------------------------------------------------------------
    def quote(self, parcel: Parcel, origin: Location, destination: Location, client) -> list[Option]:
        currency = self.provider.config.get("currency") or shop_currency()
        if currency not in CURRENCIES:
            raise Misconfigured(f"CDEK cannot price in {currency}; set config currency to one of {sorted(CURRENCIES)}")
        body = {"type": 1, "currency": CURRENCIES[currency], "lang": "eng",
                "from_location": location_json(origin), "to_location": location_json(destination),
                "packages": [{"weight": parcel.weight_grams, "length": parcel.length_cm, "width": parcel.width_cm,
                              "height": parcel.height_cm}]}
        answer = self._api(client, "POST", "/v2/calculator/tarifflist", json=body)
        tariffs = answer.get("tariff_codes") if isinstance(answer, dict) else None
        if not isinstance(tariffs, list):
            raise Unavailable("tariff list without tariff_codes")
        if not tariffs and answer.get("errors"):
            raise Rejected(f"CDEK cannot deliver this route: {error_messages(answer['errors'])}")
        return [option for option in (option_from_tariff(t, currency) for t in tariffs) if option is not None]

    def points(self, city: str, postcode: str, client) -> list[PickupPoint]:
        if postcode:
            params = {"postal_code": postcode}
        elif city.isdigit():
            params = {"city_code": city}
        else:  # a town's name: CDEK lists points by its own city code
            found = self._api(client, "GET", "/v2/location/cities", params={"city": city, "size": 1})
            if not isinstance(found, list) or not found or not isinstance(found[0], dict) or "code" not in found[0]:
                return []
            params = {"city_code": found[0]["code"]}
        if self.provider.config.get("country"):
            params["country_code"] = self.provider.config["country"]
        answer = self._api(client, "GET", "/v2/deliverypoints", params=params)
        if not isinstance(answer, list):
            raise Unavailable("delivery points answer is not a list")
        return [point_from_answer(p) for p in answer if isinstance(p, dict) and isinstance(p.get("code"), str)]

    def probe(self, client):
        """A cheap authenticated read: one delivery point (gets a token too, so bad credentials show)."""
        self._api(client, "GET", "/v2/deliverypoints", params={"city_code": 44, "size": 1})

    # --- shipments ------------------------------------------------------------------------------------
    def create_shipment(self, request: ShipmentRequest, client) -> ShipmentInfo:
        body = {
            "type": 1, "number": request.number, "tariff_code": int(request.service),
            "recipient": {"name": request.recipient_name,
                          "phones": [{"number": request.recipient_phone}] if request.recipient_phone else [],
                          **({"email": request.recipient_email} if request.recipient_email else {})},
            "from_location": location_json(request.origin),
            "packages": [{"number": f"{request.number}-1", "weight": request.parcel.weight_grams,
                          "length": request.parcel.length_cm, "width": request.parcel.width_cm,
                          "height": request.parcel.height_cm,
                          "items": [{"name": name, "ware_key": sku, "amount": qty,
                                     "payment": {"value": 0}, "cost": str(price.amount),
                                     "weight": max(1, request.parcel.weight_grams // max(1, len(request.items)))}
                                    for name, sku, qty, price in request.items]}],
        }
        if request.pickup_point:
            body["delivery_point"] = request.pickup_point
        else:
            body["to_location"] = location_json(request.destination)
        answer = self._api(client, "POST", "/v2/orders", json=body)
        return shipment_info(answer)

    def find_shipment(self, number: str, client) -> ShipmentInfo | None:
        answer = self._api(client, "GET", "/v2/orders", params={"im_number": number}, missing_ok=True)
        return None if answer is None else shipment_info(answer)

    def shipment_status(self, reference: str, client) -> ShipmentInfo:
        return shipment_info(self._api(client, "GET", f"/v2/orders/{entity_uuid(reference)}"))

    def track(self, reference: str, client) -> list[TrackingEvent]:
        answer = self._api(client, "GET", f"/v2/orders/{entity_uuid(reference)}")
        statuses = (answer.get("entity") or {}).get("statuses") if isinstance(answer, dict) else None
        return [TrackingEvent(str(s.get("code", "")), str(s.get("name", "")), str(s.get("date_time", "")),
                              str(s.get("city", ""))) for s in statuses or [] if isinstance(s, dict)]

    def cancel(self, reference: str, client) -> ShipmentInfo:
        answer = self._api(client, "DELETE", f"/v2/orders/{entity_uuid(reference)}")
        info = shipment_info(answer)
        return ShipmentInfo(info.reference or reference, ShipmentState.CANCELLED)

    def label(self, reference: str, client) -> bytes:
        """Barcode label (A6 PDF): POST /v2/print/barcodes, then its status; the PDF once it is READY."""
        job = self._api(client, "POST", "/v2/print/barcodes",
                        json={"orders": [{"order_uuid": entity_uuid(reference)}], "copy_count": 1, "format": "A6"})
        job_uuid = (job.get("entity") or {}).get("uuid") if isinstance(job, dict) else None
        if not isinstance(job_uuid, str):
            raise Unavailable("print answer without entity uuid")
        entity = (self._api(client, "GET", f"/v2/print/barcodes/{entity_uuid(job_uuid)}") or {}).get("entity") or {}
        statuses = [st.get("code") for st in entity.get("statuses") or [] if isinstance(st, dict)]
        if "READY" not in statuses or not isinstance(entity.get("url"), str):
            raise Unavailable("the label is not ready yet")
        # Only the path: the PDF is fetched from the API host we trust, whatever host the URL names.
        return self._raw(client, urlsplit(entity["url"]).path)

    def parse_webhook(self, body: bytes, headers) -> CarrierEvent | None:
        """CDEK webhook (type ORDER_STATUS): {"type", "date_time", "uuid", "attributes": {"number", "code",
        "cdek_number", "status_date_time", ...}}. CDEK does not sign them: see shipping.webhooks."""
        try:
            data = json.loads(body)
        except ValueError:
            raise ValueError("not JSON") from None
        if not isinstance(data, dict) or data.get("type") != "ORDER_STATUS":
            return None
        attributes = data.get("attributes") if isinstance(data.get("attributes"), dict) else {}
        reference, number = str(data.get("uuid") or ""), str(attributes.get("number") or "")
        if not reference and not number:
            raise ValueError("ORDER_STATUS without uuid or number")
        event_id = ":".join([reference or number, str(attributes.get("code", "")),
                             str(attributes.get("status_date_time", ""))])
        return CarrierEvent(event_id=event_id[:120], reference=reference, number=number)

    def tracking_url(self, tracking_number: str) -> str:
        return f"https://www.cdek.ru/ru/tracking?order_id={tracking_number}"

    # --- transport ------------------------------------------------------------------------------------
    def _raw(self, client: httpx.Client, path: str) -> bytes:
        response = client.get(path, headers={"Authorization": f"Bearer {self._token(client)}"})
        if response.status_code in (400, 404):
            raise Rejected(f"CDEK refused GET {path}: HTTP {response.status_code}")
        return check_response(response).content

    def _api(self, client: httpx.Client, method: str, path: str, missing_ok=False, **kwargs):
        response = client.request(method, path, headers={"Authorization": f"Bearer {self._token(client)}"}, **kwargs)
        if response.status_code == 401:  # expired or revoked early: one new token, one repeat
            self._forget_token(client)
            response = client.request(method, path, headers={"Authorization": f"Bearer {self._token(client)}"},
                                      **kwargs)
        if response.status_code == 404 and missing_ok:
            return None
        if response.status_code in (400, 404, 409, 422):
            errors = answer_errors(json_or_none(response))
            raise Rejected(f"CDEK refused {method} {path}: HTTP {response.status_code}: "
                           f"{error_messages(errors) or 'no details'}")
        return response_json(check_response(response))

    def _credentials(self) -> tuple[str, str]:
        client_id = provider_secret(self.provider, "CLIENT_ID")
        secret = provider_secret(self.provider, "CLIENT_SECRET")
        if not client_id or not secret:
            raise Misconfigured(f"{self.provider.code}: STEADFAST_<CODE>_CLIENT_ID / _CLIENT_SECRET are not set")
        return client_id, secret

    def _token_key(self, client):
        return str(client.base_url), self._credentials()[0]

    def _token(self, client: httpx.Client) -> str:
        key = self._token_key(client)
        with _tokens_lock:
            cached = _tokens.get(key)
        if cached and cached[1] > time.monotonic():
            return cached[0]
        client_id, secret = self._credentials()
        response = client.post("/v2/oauth/token", data={"grant_type": "client_credentials", "client_id": client_id,
                                                        "client_secret": secret})
        if response.status_code in (400, 401, 403):
            raise Misconfigured(f"CDEK refused the client credentials: HTTP {response.status_code}")
        answer = response_json(check_response(response))
        token, expires_in = answer.get("access_token"), answer.get("expires_in")
        if not isinstance(token, str) or not token or not isinstance(expires_in, int):
            raise Unavailable("token answer without access_token / expires_in")
        with _tokens_lock:
            _tokens[key] = (token, time.monotonic() + max(0, expires_in - TOKEN_MARGIN))
        return token

    def _forget_token(self, client):
        with _tokens_lock:
            _tokens.pop(self._token_key(client), None)
