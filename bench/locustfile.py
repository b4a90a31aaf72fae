"""Bounded load for `bench/run.py`: one endpoint at a time, selected with --tags."""

import random
import re
import uuid

from locust import FastHttpUser, tag, task


def _pick(env_name):
    import os

    return random.choice(os.environ[env_name].split(","))


class Shopper(FastHttpUser):
    @tag("home")
    @task
    def home(self):
        self.client.get("/", name="home")

    @tag("category")
    @task
    def category(self):
        self.client.get(f"/c/{_pick('BENCH_CATEGORIES')}/", name="category")

    @tag("product")
    @task
    def product(self):
        self.client.get(f"/p/{_pick('BENCH_PRODUCTS')}/", name="product")

    @tag("add_to_cart")
    @task
    def add_to_cart(self):
        page = self.client.get(f"/p/{_pick('BENCH_PRODUCTS')}/", name="product (for token)")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        self.client.post(
            "/cart/add/",
            data={
                "csrfmiddlewaretoken": token.group(1) if token else "",
                "variant": _pick("BENCH_VARIANTS"),
                "quantity": "1",
            },
            headers={"Referer": self.host + "/"},
            name="add-to-cart",
        )

    @tag("place_order")
    @task
    def place_order(self):
        body = {
            "lines": [{"variant_id": int(_pick("BENCH_VARIANTS")), "quantity": 1}],
            "contact": {"email": "bench@example.com", "phone": "+48 600 000 000", "full_name": "Bench Shopper"},
            "address": {"line1": "ul. Testowa 1", "postcode": "00-001", "city": "Warszawa", "country": "PL"},
            "delivery_method": "courier",
            "payment_method": "cash_on_delivery",
        }
        self.client.post(
            "/api/v1/checkout/orders", json=body, headers={"Idempotency-Key": uuid.uuid4().hex}, name="place-order"
        )

    # bench/status_bench.py
    @tag("status_page")
    @task
    def status_page(self):
        self.client.get("/status/", name="status_page")

    @tag("status_summary")
    @task
    def status_summary(self):
        self.client.get("/status/api/v2/summary.json", name="status_summary")
