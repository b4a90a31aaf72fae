"""HTML of the emergency page (plain strings, every value escaped: the page must work with nothing but Python)."""

import json
from html import escape

STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;background:#f6f5f2;color:#1f2328}
main{max-width:760px;margin:0 auto;padding:24px 16px 48px}
.alert{background:#fff4e5;border:1px solid #f0b35b;border-radius:10px;padding:16px 20px;margin-bottom:20px}
.card{background:#fff;border:1px solid #ddd;border-radius:10px;padding:16px 20px;margin-bottom:20px}
h1{font-size:1.6rem;margin:.2em 0} h2{font-size:1.2rem;margin:.2em 0 .6em} .muted{color:#666;font-size:.9rem}
.contact a{font-size:1.25rem;font-weight:600;color:#0b5cad;text-decoration:none;display:inline-block;margin:4px 0}
table{width:100%;border-collapse:collapse} td{padding:6px 4px;border-bottom:1px solid #eee;vertical-align:middle}
td.price{white-space:nowrap;text-align:right} input[type=number]{width:4.5em}
label{display:block;margin:10px 0 4px;font-weight:600} input[type=text],input[type=email],input[type=tel],textarea
{width:100%;box-sizing:border-box;padding:8px;border:1px solid #bbb;border-radius:6px;font:inherit}
button{background:#0b5cad;color:#fff;border:0;border-radius:8px;padding:12px 22px;font-size:1rem;margin-top:16px}
summary{cursor:pointer;padding:8px 0;font-weight:600;border-bottom:1px solid #eee}
.errors{background:#fdecea;border:1px solid #e0a19b;border-radius:8px;padding:10px 16px;color:#8a1f11}
"""


def json_bytes(document) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=2).encode()


def _page(title: str, body: str) -> str:
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
            f'content="width=device-width,initial-scale=1"><meta name="robots" content="noindex">'
            f"<title>{escape(title)}</title><style>{STYLE}</style></head><body><main>{body}</main></body></html>")


def message(title: str, text: str) -> str:
    return _page(title, f'<div class="card"><h1>{escape(title)}</h1><p>{escape(text)}</p></div>')


def ack_form(action: str) -> str:
    return _page("Acknowledge alert", '<div class="card"><h1>Acknowledge this alert?</h1><p>Nobody else will be '
                 'paged for it.</p><form method="post" action="' + escape(action) + '"><button type="submit">'
                 "I am on it</button></form></div>")


def _contacts(shop: dict) -> str:
    phone, email = shop.get("phone", ""), shop.get("email", "")
    links = []
    if phone:
        links.append(f'<a href="tel:{escape(phone.replace(" ", ""))}">☎ {escape(phone)}</a>')
    if email:
        links.append(f'<a href="mailto:{escape(email)}">✉ {escape(email)}</a>')
    return ('<div class="card contact"><h2>Reach us directly</h2>' + "<br>".join(links) +
            '<p class="muted">Phone and e-mail work as usual while the website is down.</p></div>') if links else ""


def emergency(snapshot: dict, state: dict, form: dict | None = None, errors: list[str] | None = None) -> str:
    shop = snapshot.get("shop", {})
    name = shop.get("name", "The shop")
    since = state.get("since", "")[:16].replace("T", " ")
    since = f" (since {escape(since)} UTC)" if since else ""
    body = (f'<div class="alert"><h1>{escape(name)}: our website is temporarily down</h1>'
            f"<p>We know, and we are working on it{since}."
            " Your orders and payments are safe: orders placed before the outage are kept and will be handled as "
            "usual; nobody is charged twice.</p></div>" + _contacts(shop))
    if snapshot.get("products"):
        body += _form(snapshot, form or {}, errors or [])
    if snapshot.get("_pulled_at"):
        body += f'<p class="muted">Prices as of {escape(snapshot["_pulled_at"][:16].replace("T", " "))} UTC.</p>'
    return _page(f"{name}: temporarily down", body)


def _form(snapshot, form, errors) -> str:
    currency = escape(snapshot.get("shop", {}).get("currency", ""))
    groups: dict[str, list[str]] = {}
    for product in snapshot["products"]:
        for variant in product["variants"]:
            if not variant.get("in_stock"):
                continue
            label = escape(product["name"] + (f" — {variant['label']}" if variant.get("label") else ""))
            if product.get("photo"):
                label = (f'<img src="/watch/photos/{escape(product["photo"])}" alt="" width="44" height="44" '
                         f'loading="lazy" style="object-fit:cover;border-radius:6px;vertical-align:middle;'
                         f'margin-right:10px">{label}')
            key = escape("qty:" + variant["sku"])
            value = escape(form.get("qty:" + variant["sku"], ""))
            groups.setdefault(product.get("category", ""), []).append(
                f'<tr><td><label for="{key}" style="font-weight:400;margin:0">{label}</label></td>'
                f'<td class="price">{escape(variant["price"])} {currency}</td>'
                f'<td><input type="number" min="0" max="99" id="{key}" name="{key}" value="{value}"></td></tr>')
    # One fold per category keeps contacts and the form in view; a fold with a chosen item stays open.
    rows = "".join(
        f'<details{" open" if any(" value=" + chr(34) + chr(34) not in row for row in items) else ""}>'
        f"<summary>{escape(category or 'Products')} ({len(items)})</summary><table>{''.join(items)}</table></details>"
        for category, items in groups.items())
    methods = "".join(
        f'<label style="font-weight:400"><input type="radio" name="delivery_method" value="{escape(m["code"])}"'
        f'{" checked" if form.get("delivery_method") == m["code"] else ""}> {escape(m["name"])}</label>'
        for m in snapshot.get("delivery_methods", []))
    problems = ('<div class="errors" role="alert"><ul>' + "".join(f"<li>{e}</li>" for e in errors) + "</ul></div>"
                if errors else "")

    def field(name, label, kind="text"):
        return (f'<label for="{name}">{label}</label><input type="{kind}" id="{name}" name="{name}" '
                f'value="{escape(form.get(name, ""))}">')

    return ('<div class="card"><h2>Order request</h2><p>Leave your order here: we will call you to confirm it and '
            "arrange payment as soon as we are back. Nothing is charged now.</p>" + problems +
            '<form method="post" action="/request"><h2>1. What would you like?</h2>' + rows
            + "<h2>2. Your details</h2>"
            + field("full_name", "Your name") + field("phone", "Phone", "tel") + field("email", "E-mail", "email")
            + f'<label>Delivery</label>{methods}' + field("address_line1", "Street and number")
            + field("postcode", "Postcode") + field("city", "City") + field("country", "Country code (e.g. PL)")
            + '<label for="note">Anything else?</label><textarea id="note" name="note" rows="3">'
            + escape(form.get("note", "")) + '</textarea><button type="submit">Send order request</button>'
            "</form></div>")


def thanks(snapshot: dict, record: dict) -> str:
    shop = snapshot.get("shop", {})
    body = ('<div class="card"><h1>Thank you: your order request is received</h1>'
            f'<p>Your request number is <strong id="request-id">{escape(record["request_id"])}</strong>. '
            "It is stored safely and becomes an order as soon as our website is back; we will call you on "
            f"{escape(record['phone'])} to confirm it and arrange payment.</p></div>" + _contacts(shop))
    return _page("Order request received", body)
