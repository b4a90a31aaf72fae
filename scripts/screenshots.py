"""Take the README screenshots from a running demo shop: `make demo` in one terminal, then
`.venv/bin/python scripts/screenshots.py` in another. Writes docs/screenshots/*.png."""

import re
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from steadfast.storefront.tests.browser import guest_checkout  # noqa: E402

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
PASSWORD = (Path(__file__).resolve().parent.parent / "var" / "admin-password.txt").read_text().strip()
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


def shoot(page, name):
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)
    print("wrote", OUT / f"{name}.png")


def shopper(page):
    page.goto(BASE + "/")
    shoot(page, "storefront-home")
    page.locator(".product-card a, a.product-card").first.click()
    radio = page.locator("input[name=variant]:not([disabled])").first
    radio.check(force=True)
    shoot(page, "storefront-product")
    page.get_by_role("button", name=re.compile("Add to cart")).click()
    page.goto(BASE + "/cart/")
    guest_checkout(page, "Bank transfer", name="Anna Kowalska", email="anna@example.com")
    shoot(page, "checkout-review")
    page.get_by_role("button", name=re.compile("Place order")).click()
    page.wait_for_url(re.compile(r"/orders/"))
    shoot(page, "order-page")
    return page.url


def staff(page):
    page.goto(BASE + "/admin/login/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    shoot(page, "admin-dashboard")
    page.goto(BASE + "/admin/orders/order/")
    page.locator("#result_list tbody tr th a").first.click()
    shoot(page, "admin-order")
    page.goto(BASE + "/status/")
    shoot(page, "status-page")


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for run in (shopper, staff):
            context = browser.new_context(base_url=BASE, viewport={"width": 1280, "height": 900})
            run(context.new_page())
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
