"""Locust shoppers for `manage.py loadtest`: a realistic mix on a running shop, found through its own API.

Most visitors browse (home, categories, products), some search, fewer add to the cart and look at it, and a few
check out through the JSON API with a payment method the shop offers (on the loopback stack the gateways are the
fakes on 127.0.0.1). Every shopper keeps its own session, as a browser does. No Django import: locust runs this
file in its own process.
"""

import random
import re
import uuid

from locust import HttpUser, between, task

WORDS = ("tee", "hoodie", "mug", "boot", "socks", "poster", "backpack", "tote", "lamp", "kettle")
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VARIANT = re.compile(r'name="variant" value="(\d+)"([^>]*)>')


class Shopper(HttpUser):
    wait_time = between(0.5, 2)  # a person reads the page before the next click

    def on_start(self):
        products = self.client.get("/api/v1/products", name="api products").json().get("results", [])
        categories = self.client.get("/api/v1/categories", name="api categories").json()
        self.product_paths = [re.sub(r"^https?://[^/]+", "", p["url"]) for p in products if p["in_stock"]]
        self.category_paths = [f"/c/{c['slug']}/" for c in categories]
        if not self.product_paths:
            raise RuntimeError("the shop lists no product in stock: nothing to load-test")

    @task(6)
    def browse(self):
        self.client.get("/", name="home")
        if self.category_paths:
            self.client.get(random.choice(self.category_paths), name="category")
        self.client.get(random.choice(self.product_paths), name="product")

    @task(2)
    def search(self):
        self.client.get(f"/search/?q={random.choice(WORDS)}", name="search")

    @task(2)
    def add_to_cart(self):
        self._add_to_cart()
        self.client.get("/cart/", name="cart")

    @task(1)
    def checkout(self):
        if not self._add_to_cart():
            return
        options = self.client.get("/api/v1/checkout/options?country=PL", name="checkout options").json()
        deliveries = options.get("delivery_methods", [])
        if not deliveries:
            return
        delivery = random.choice(deliveries)
        payments = [p["code"] for p in options.get("payment_methods", []) if delivery["code"] in p["delivery_methods"]]
        if not payments:
            return
        # A different customer each time: the shop caps unpaid orders per e-mail, phone and address.
        body = {
            "contact": {"email": f"load-{uuid.uuid4().hex[:12]}@example.com",
                        "phone": f"+48 6{random.randrange(10**7, 10**8)}", "full_name": "Load Test"},
            "address": {"line1": f"ul. Testowa {random.randrange(1, 10**6)}", "postcode": "00-001",
                        "city": "Warszawa", "country": "PL"},
            "delivery_method": delivery["code"],
            "payment_method": random.choice(payments),
        }
        with self.client.post("/api/v1/checkout/orders", json=body, name="place order",
                              headers={"Idempotency-Key": uuid.uuid4().hex}, catch_response=True) as placed:
            if placed.status_code != 201:
                placed.failure(f"order not placed: HTTP {placed.status_code} {placed.text[:200]}")
                return
            token = placed.json().get("token")
        if token:
            self.client.get(f"/api/v1/orders/{token}", name="order status")

    def _add_to_cart(self) -> bool:
        path = random.choice(self.product_paths)
        page = self.client.get(path, name="product")
        token = TOKEN.search(page.text)
        choices = [pk for pk, rest in VARIANT.findall(page.text) if "disabled" not in rest]
        if not token or not choices:
            return False  # sold out, or ordering paused: a shopper would not add it either
        self.client.post("/cart/add/", name="add to cart", headers={"Referer": self.host.rstrip("/") + path},
                         data={"csrfmiddlewaretoken": token.group(1), "variant": random.choice(choices),
                               "quantity": "1"})
        return True
