"""HTML of the emergency page (plain strings, every value escaped: the page must work with nothing but Python),
in the visitor's language (watch/i18n.py), with QR codes for the phone, e-mail and messengers (segno)."""

import json
from html import escape

from watch.i18n import LANGUAGES, NAMES, gettext

try:
    import segno  # pure Python, in watch/requirements.txt; without it the page shows the links only
except ImportError:  # pragma: no cover - a watcher installed from an older requirements file
    segno = None

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
.langs{text-align:right;font-size:.9rem;margin-bottom:8px} .langs a{margin-left:10px;color:#0b5cad}
.qrs{display:flex;flex-wrap:wrap;gap:18px;margin-top:12px} .qr{text-align:center;font-size:.85rem;color:#444}
.qr svg{display:block;margin:0 auto 4px;width:132px;height:132px}
"""


def json_bytes(document) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=2).encode()


def _page(title: str, body: str, lang: str = "en") -> str:
    return (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" '
            f'content="width=device-width,initial-scale=1"><meta name="robots" content="noindex">'
            f"<title>{escape(title)}</title><style>{STYLE}</style></head><body><main>{body}</main></body></html>")


def message(title: str, text: str) -> str:
    return _page(title, f'<div class="card"><h1>{escape(title)}</h1><p>{escape(text)}</p></div>')


def ack_form(action: str) -> str:
    return _page("Acknowledge alert", '<div class="card"><h1>Acknowledge this alert?</h1><p>Nobody else will be '
                 'paged for it.</p><form method="post" action="' + escape(action) + '"><button type="submit">'
                 "I am on it</button></form></div>")


def _qr(uri: str, caption: str) -> str:
    if segno is None:
        return ""
    svg = segno.make(uri, error="m").svg_inline(scale=4, border=2)
    return f'<div class="qr">{svg}{escape(caption)}</div>'


def _contacts(shop: dict, lang: str = "en", messengers=()) -> str:
    phone, email = shop.get("phone", ""), shop.get("email", "")
    links, codes = [], []
    if phone:
        tel = "tel:" + phone.replace(" ", "")
        links.append(f'<a href="{escape(tel)}">☎ {escape(phone)}</a>')
        codes.append(_qr(tel, gettext(lang, "Scan to call")))
    if email:
        links.append(f'<a href="mailto:{escape(email)}">✉ {escape(email)}</a>')
        codes.append(_qr(f"mailto:{email}", gettext(lang, "Scan to write")))
    for label, url in messengers:
        links.append(f'<a href="{escape(url)}" rel="noopener">💬 {escape(label)}</a>')
        codes.append(_qr(url, label))
    if not links:
        return ""
    return (f'<div class="card contact"><h2>{gettext(lang, "Reach us directly")}</h2>' + "<br>".join(links) +
            f'<p class="muted">{gettext(lang, "Phone and e-mail work as usual while the website is down.")}</p>'
            f'<div class="qrs">{"".join(codes)}</div></div>')


def _languages(lang: str) -> str:
    return '<div class="langs">' + "".join(
        f"<strong>{NAMES[code]}</strong>" if code == lang else f'<a href="?lang={code}" hreflang="{code}">'
        f"{NAMES[code]}</a>" for code in LANGUAGES) + "</div>"


def emergency(snapshot: dict, state: dict, form: dict | None = None, errors: list[str] | None = None,
              lang: str = "en", messengers=(), eta: str = "", eta_at: str = "") -> str:
    shop = snapshot.get("shop", {})
    name = shop.get("name", "The shop")
    since = state.get("since", "")[:16].replace("T", " ")
    since = " " + escape(gettext(lang, "Down since {since} UTC.", since=since)) if since else ""
    updated = gettext(lang, "Updated {time} UTC.", time=eta_at[:16].replace("T", " ")) if eta_at else ""
    eta = (f'<p id="eta"><strong>{escape(eta)}</strong>' + (f' <span class="muted">{escape(updated)}</span>'
                                                           if updated else "") + "</p>") if eta else ""
    body = (_languages(lang) + '<div class="alert"><h1>' +
            escape(gettext(lang, "{name}: our website is temporarily down", name=name)) + "</h1>"
            f'<p>{gettext(lang, "We know, and we are working on it.")}{since} ' + gettext(
                lang, "Your orders and payments are safe: orders placed before the outage are kept and will be "
                "handled as usual; nobody is charged twice.") + f"</p>{eta}</div>" + _contacts(shop, lang, messengers))
    if snapshot.get("products"):
        body += _form(snapshot, form or {}, errors or [], lang)
    if snapshot.get("_pulled_at"):
        pulled = snapshot["_pulled_at"][:16].replace("T", " ")
        body += f'<p class="muted">{escape(gettext(lang, "Prices as of {time} UTC.", time=pulled))}</p>'
    return _page(gettext(lang, "{name}: temporarily down", name=name), body, lang)


def _form(snapshot, form, errors, lang="en") -> str:
    t = lambda text: gettext(lang, text)  # noqa: E731
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
        f"<summary>{escape(category or t('Products'))} ({len(items)})</summary><table>{''.join(items)}</table>"
        "</details>"
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

    return (f'<div class="card"><h2>{t("Order request")}</h2><p>' + t(
        "Leave your order here: we will call you to confirm it and arrange payment as soon as we are back. Nothing is "
        "charged now.") + "</p>" + problems +
            f'<form method="post" action="/request?lang={lang}"><h2>{t("1. What would you like?")}</h2>' + rows
            + f"<h2>{t('2. Your details')}</h2>"
            + field("full_name", t("Your name")) + field("phone", t("Phone"), "tel")
            + field("email", t("E-mail"), "email")
            + f'<label>{t("Delivery")}</label>{methods}' + field("address_line1", t("Street and number"))
            + field("postcode", t("Postcode")) + field("city", t("City"))
            + field("country", t("Country code (e.g. PL)"))
            + f'<label for="note">{t("Anything else?")}</label><textarea id="note" name="note" rows="3">'
            + escape(form.get("note", "")) + f'</textarea><button type="submit">{t("Send order request")}</button>'
            "</form></div>")


def thanks(snapshot: dict, record: dict, lang: str = "en", messengers=()) -> str:
    shop = snapshot.get("shop", {})
    text = gettext(lang, "Your request number is {number}. It is stored safely and becomes an order as soon as our "
                   "website is back; we will call you on {phone} to confirm it and arrange payment.",
                   number="\0", phone=escape(record["phone"]))
    text = escape(text).replace("\0", f'<strong id="request-id">{escape(record["request_id"])}</strong>')
    body = (f'<div class="card"><h1>{gettext(lang, "Thank you: your order request is received")}</h1>'
            f"<p>{text}</p></div>" + _contacts(shop, lang, messengers))
    return _page(gettext(lang, "Order request received"), body, lang)
