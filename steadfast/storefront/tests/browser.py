"""Shared Playwright steps: what a guest does from the cart to the review page, by labels a shopper reads."""

import re


def guest_checkout(page, payment, name="Ann Nowak", email="ann@example.com", phone="+48 600 100 200"):
    """From a filled cart to the review page with courier delivery and the payment method whose label matches."""
    page.goto("/checkout/")
    page.get_by_label("Full name").fill(name)
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Phone").fill(phone)
    page.get_by_role("button", name="Continue to delivery").click()
    page.get_by_role("radio", name=re.compile("Courier")).check(force=True)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Street and number").fill("ul. Długa 5")
    page.get_by_label("Postcode").fill("00-950")
    page.get_by_label("City").fill("Warszawa")
    page.get_by_role("button", name="Continue to payment").click()
    page.get_by_role("radio", name=re.compile(payment)).check(force=True)
    page.get_by_role("button", name="Review your order").click()
