"""The shop in Polish and Russian: pages, prices, dates and e-mails, and catalogs with nothing left untranslated."""

import ast
import gettext
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from steadfast.catalog.models import Category
from steadfast.checkout.tests.walk import add_to_cart, place, walk_to_review
from steadfast.notify.tasks import outbox_sweep
from steadfast.orders.models import Order
from steadfast.providers.models import Provider
from steadfast.shipping.models import DeliveryMethod

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
LANGUAGES = ("pl", "ru")
MONTHS = {  # genitive month names, as a date reads in a sentence
    "pl": "stycznia lutego marca kwietnia maja czerwca lipca sierpnia września października listopada grudnia",
    "ru": "января февраля марта апреля мая июня июля августа сентября октября ноября декабря",
}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdr]|\{\{\s*(\w+)\s*\}\}")

# Known strings on each page, per language (from the catalogs, checked here against what the page really shows).
TEXT = {
    "pl": {
        "home": ["Witamy w", "Dobre rzeczy, gotowe do wysyłki.", "Koszyk", "Szukaj produktów…", "Moje zamówienia"],
        "category": ["3 produkty", "Sortuj", "Zastosuj"],
        "product": ["Dodaj do koszyka", "Dostępny"],
        "cart": ["Twój koszyk", "Do kasy", "Kontynuuj zakupy", "Suma częściowa"],
        "delivery": [
            "Jak chcesz odebrać zamówienie?", "Kurier", "Odbiór osobisty w sklepie", "Dostawa w 1–3 dni robocze.",
        ],
        "payment": ["Jak chcesz zapłacić?", "Płatność przy odbiorze", "Przelew bankowy"],
        "review": ["Sprawdź swoje zamówienie", "Złóż zamówienie", "Podsumowanie", "Kurier", "Gratis"],
        "order": ["Historia", "Oczekuje na płatność", "Płatność przy odbiorze", "Kurier", "złożone"],
        "email": ["Twoje zamówienie", "zostało potwierdzone", "Kurier", "Płatność przy odbiorze", "Suma częściowa"],
    },
    "ru": {
        "home": ["Добро пожаловать в", "Хорошие вещи, готовые к отправке.", "Корзина", "Поиск товаров…", "Мои заказы"],
        "category": ["3 товара", "Сортировка", "Применить"],
        "product": ["В корзину", "В наличии"],
        "cart": ["Ваша корзина", "Оформить заказ", "Продолжить покупки", "Промежуточный итог"],
        "delivery": [
            "Как вы хотите получить заказ?", "Курьер", "Самовывоз из магазина", "Доставка за 1–3 рабочих дня.",
        ],
        "payment": ["Как вы хотите оплатить?", "Оплата при получении", "Банковский перевод"],
        "review": ["Проверьте заказ", "Оформить заказ —", "Проверка", "Курьер", "Бесплатно"],
        "order": ["История", "Ожидает оплаты", "Оплата при получении", "Курьер", "оформлен"],
        "email": ["Ваш заказ", "подтверждён", "Курьер", "Оплата при получении", "Промежуточный итог"],
    },
}
# 1234.50 €: Polish groups thousands only from five digits (CLDR minimumGroupingDigits), Russian always.
PRICE = {"pl": "1234,50 €", "ru": "1 234,50 €"}


def text(response) -> str:
    """The page as the shopper reads it: no-break and narrow no-break spaces compare as plain spaces."""
    return response.content.decode().replace("\u00a0", " ").replace("\u202f", " ")


def choose_language(client, language):
    response = client.post(reverse("set_language"), {"language": language, "next": "/"})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == language


def assert_shows(page: str, expected: list[str]):
    missing = [s for s in expected if s not in page]
    assert not missing, f"not on the page: {missing}"


@pytest.fixture
def shop(db, make_variant):
    category = Category.objects.create(name="Mugs", slug="mugs")
    variants = [make_variant(stock=5, price=price, category=category) for price in ("1234.50", "12.00", "7.50")]
    return category, variants[0]


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_shopper_sees_the_whole_purchase_in_their_language(client, shop, language, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    category, variant = shop
    words = TEXT[language]
    choose_language(client, language)

    home = client.get(reverse("storefront:home"))
    assert f'<html lang="{language}">' in home.content.decode()
    assert "Welcome to" not in text(home) and "Your cart" not in text(home)
    assert_shows(text(home), words["home"])

    page = text(client.get(category.get_absolute_url()))
    assert_shows(page, words["category"] + [PRICE[language]])

    page = text(client.get(variant.product.get_absolute_url()))
    assert_shows(page, words["product"] + [PRICE[language]])

    add_to_cart(client, variant)
    page = text(client.get(reverse("cart:detail")))
    assert_shows(page, words["cart"] + [PRICE[language]])

    page = text(client.post(reverse("checkout:contact"), _contact(), follow=True))
    assert_shows(page, words["delivery"])
    review = walk_to_review(client)
    page = text(client.get(reverse("checkout:payment")))
    assert_shows(page, words["payment"])
    page = text(review)
    # Over 100 € the courier is free, so the total is the price itself.
    assert_shows(page, words["review"] + [PRICE[language]])
    assert "Place order" not in page and "Cash on delivery" not in page

    placed = place(client, review)
    assert placed.status_code == 302
    order = Order.objects.get()
    assert order.language == language
    page = text(client.get(placed["Location"]))
    assert_shows(page, words["order"] + [PRICE[language]])
    assert "Awaiting" not in page and "History" not in page
    event = order.events.order_by("created_at").first()
    when = timezone.localtime(event.created_at)
    month = MONTHS[language].split()[when.month - 1]
    assert f"{when.day} {month} {when.year}" in page  # the timeline date, e.g. "23 listopada 2026"

    assert outbox_sweep() >= 1
    confirmation = next(m for m in mail.outbox if order.number in m.subject)
    assert_shows(confirmation.subject + "\n" + confirmation.body.replace("\u00a0", " "), words["email"])


def _contact():
    return {"full_name": "Anna Nowak", "email": "anna@example.com", "phone": "+48 600 100 200"}


@pytest.mark.django_db
def test_english_stays_the_default(client, shop):
    page = text(client.get(reverse("storefront:home")))
    assert "Welcome to" in page and "Witamy" not in page and "Добро пожаловать" not in page
    assert "€1,234.50" in text(client.get(shop[1].product.get_absolute_url()))


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_seeded_payment_and_delivery_names_are_translated(language):
    """The names the data migrations create are English in the database and must be in the catalog."""
    seeded = [(p.name, p.description) for p in Provider.objects.filter(kind=Provider.Kind.PAYMENT)]
    seeded += [(m.name, m.description or m.pickup_address) for m in DeliveryMethod.objects.all()]
    assert seeded
    with translation.override(language):
        untranslated = [s for pair in seeded for s in pair if s and translation.gettext(s) == s]
    assert not untranslated


# --- the catalogs themselves -------------------------------------------------------------------------------------


def po_entries(path: Path) -> list[dict]:
    """A tiny .po reader: msgctxt, msgid, msgid_plural, msgstr/msgstr[n] and flags of every entry."""
    entries = []
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        entry = {"flags": set(), "msgstr": {}}
        field = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] |= {f.strip() for f in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                value = ast.literal_eval(line)
                if isinstance(field, int):
                    entry["msgstr"][field] += value
                else:
                    entry[field] += value
            else:
                keyword, value = line.split(" ", 1)
                value = ast.literal_eval(value)
                if keyword.startswith("msgstr"):
                    field = int(keyword[7:-1]) if "[" in keyword else 0
                    entry["msgstr"][field] = value
                else:
                    field = keyword
                    entry[field] = value
        if "msgid" in entry:
            entries.append(entry)
    return entries


def catalog(language) -> tuple[dict, list[dict]]:
    entries = po_entries(LOCALE_DIR / language / "LC_MESSAGES" / "django.po")
    header, messages = entries[0], entries[1:]
    assert header["msgid"] == "" and "fuzzy" not in header["flags"]
    return header, messages


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(language):
    header, messages = catalog(language)
    nplurals = int(re.search(r"nplurals=(\d+)", header["msgstr"][0]).group(1))
    assert len(messages) > 600
    problems = []
    for entry in messages:
        name = entry["msgid"][:60]
        forms = entry["msgstr"]
        if "fuzzy" in entry["flags"]:
            problems.append(("fuzzy", name))
        if "msgid_plural" in entry and sorted(forms) != list(range(nplurals)):
            problems.append((f"needs {nplurals} plural forms", name))
        if not all(forms.values()):
            problems.append(("untranslated", name))
        wanted = {m for pair in PLACEHOLDER.findall(entry["msgid"]) for m in pair if m}
        for form in forms.values():
            if {m for pair in PLACEHOLDER.findall(form) for m in pair if m} != wanted:
                problems.append(("placeholders differ", name))
    assert not problems


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalog_matches_the_po_file(language):
    """A .po edited without running compilemessages would translate nothing: the .mo must say the same."""
    _, messages = catalog(language)
    with open(LOCALE_DIR / language / "LC_MESSAGES" / "django.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in messages:
        msgid = entry["msgid"]
        if "msgctxt" in entry:
            got = compiled.npgettext(entry["msgctxt"], msgid, entry["msgid_plural"], 1) if "msgid_plural" in entry \
                else compiled.pgettext(entry["msgctxt"], msgid)
        elif "msgid_plural" in entry:
            got = compiled.ngettext(msgid, entry["msgid_plural"], 1)
        else:
            got = compiled.gettext(msgid)
        if got != entry["msgstr"][0]:
            stale.append(msgid[:60])
    assert not stale


def test_every_msgid_in_the_code_is_in_the_catalogs(tmp_path, monkeypatch, settings):
    """A string marked for translation but never added to a catalog shows in English: makemessages, run into a copy
    of the catalogs, must find nothing new (it adds new msgids untranslated or fuzzy, which the reader sees)."""
    copy = tmp_path / "locale"
    shutil.copytree(LOCALE_DIR, copy, ignore=shutil.ignore_patterns("*.mo"))
    settings.LOCALE_PATHS = [copy]
    monkeypatch.chdir(settings.BASE_DIR)  # makemessages walks the current directory
    # and writes into any folder named "locale" it meets: ignoring ours leaves the copy as the only catalog.
    call_command(
        "makemessages", locale=list(LANGUAGES), ignore_patterns=[".venv", "var", "steadfast/locale"],
        no_location=True, verbosity=0,
    )
    missing = {}
    for language in LANGUAGES:
        entries = po_entries(copy / language / "LC_MESSAGES" / "django.po")[1:]
        missing[language] = [
            e["msgid"][:60] for e in entries if "fuzzy" in e["flags"] or not all(e["msgstr"].values())
        ]
    assert missing == {language: [] for language in LANGUAGES}
