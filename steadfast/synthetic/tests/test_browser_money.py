"""What staff see in Chromium after a round whose card refund was refused: the test purchases list says the money is
paid and not refunded, the run's page lists each step with the one that failed. STEADFAST_SHOTS_DIR keeps the
screenshots."""

import os

import pytest

from steadfast.synthetic.services import synthetic_checkout_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("STEADFAST_SHOTS_DIR", "")


def test_staff_see_where_the_test_money_stopped(page, probe_shop, fake_stripe, django_user_model):
    fake_stripe.set_fault("refund_refused")
    card = next(run for run in synthetic_checkout_round() if run.payment_method == "stripe")
    django_user_model.objects.create_superuser("boss", "boss@example.com", "boss-pass-123")
    page.goto("/admin/login/?next=/admin/synthetic/syntheticrun/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", "boss-pass-123")
    page.click("input[type=submit]")
    page.wait_for_url(lambda url: "/admin/login" not in url)
    row = page.locator("#result_list tr", has_text="stripe")
    assert "paid, not refunded" in row.inner_text() and "refund" in row.inner_text()
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "synthetic-runs.png"), full_page=True)

    page.goto(f"/admin/synthetic/syntheticrun/{card.pk}/change/")
    steps = page.locator("ol.sf-steps li").all_inner_texts()
    assert [s.split()[:2] for s in steps[-5:]] == [["✓", "place"], ["✓", "pay"], ["✓", "captured"],
                                                  ["✓", "order"], ["✗", "refund"]]
    assert "still charged" in steps[-1]
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "synthetic-run.png"), full_page=True)
