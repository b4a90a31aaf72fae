"""The lifeboat page in English, Polish and Russian without Django: a small catalog keyed by the English text.
The language is ?lang=, else the browser's Accept-Language, else the config's `language`."""

LANGUAGES = ("en", "pl", "ru")
NAMES = {"en": "English", "pl": "Polski", "ru": "Русский"}

CATALOG = {
    "{name}: our website is temporarily down": (
        "{name}: nasza strona jest chwilowo niedostępna", "{name}: наш сайт временно недоступен"),
    "{name}: temporarily down": ("{name}: chwilowo niedostępna", "{name}: временно недоступен"),
    "We know, and we are working on it.": ("Wiemy o tym i już nad tym pracujemy.", "Мы знаем и уже работаем над этим."),
    "Down since {since} UTC.": ("Niedostępna od {since} UTC.", "Недоступен с {since} UTC."),
    "Your orders and payments are safe: orders placed before the outage are kept and will be handled as usual; "
    "nobody is charged twice.": (
        "Twoje zamówienia i płatności są bezpieczne: zamówienia złożone przed awarią są zachowane i zostaną "
        "zrealizowane jak zwykle; nikt nie zostanie obciążony dwa razy.",
        "Ваши заказы и платежи в безопасности: заказы, оформленные до сбоя, сохранены и будут выполнены как "
        "обычно; никто не будет списан дважды."),
    "Reach us directly": ("Skontaktuj się z nami bezpośrednio", "Свяжитесь с нами напрямую"),
    "Phone and e-mail work as usual while the website is down.": (
        "Telefon i e-mail działają normalnie, gdy strona jest niedostępna.",
        "Телефон и e-mail работают как обычно, пока сайт недоступен."),
    "Scan to call": ("Zeskanuj, aby zadzwonić", "Отсканируйте, чтобы позвонить"),
    "Scan to write": ("Zeskanuj, aby napisać", "Отсканируйте, чтобы написать"),
    "Prices as of {time} UTC.": ("Ceny z {time} UTC.", "Цены на {time} UTC."),
    "Updated {time} UTC.": ("Zaktualizowano {time} UTC.", "Обновлено {time} UTC."),
    "{name}: our website is temporarily down. We are working on it; orders and payments made before are safe.": (
        "{name}: nasza strona jest chwilowo niedostępna. Pracujemy nad tym; wcześniejsze zamówienia i płatności są "
        "bezpieczne.",
        "{name}: наш сайт временно недоступен. Мы работаем над этим; сделанные ранее заказы и платежи в "
        "безопасности."),
    "Reach us: {contacts}.": ("Kontakt: {contacts}.", "Связь с нами: {contacts}."),
    "Order requests and news: {url}": ("Prośby o zamówienie i informacje: {url}", "Заявки на заказ и новости: {url}"),
    "{name}: our website is back. Thank you for your patience!": (
        "{name}: nasza strona znowu działa. Dziękujemy za cierpliwość!",
        "{name}: наш сайт снова работает. Спасибо за терпение!"),
    "Order request": ("Prośba o zamówienie", "Заявка на заказ"),
    "Leave your order here: we will call you to confirm it and arrange payment as soon as we are back. Nothing is "
    "charged now.": (
        "Zostaw tu swoje zamówienie: zadzwonimy, aby je potwierdzić i ustalić płatność, gdy tylko wrócimy. Teraz "
        "nic nie jest pobierane.",
        "Оставьте заказ здесь: мы позвоним, чтобы подтвердить его и договориться об оплате, как только вернёмся. "
        "Сейчас ничего не списывается."),
    "1. What would you like?": ("1. Co chcesz zamówić?", "1. Что вы хотите заказать?"),
    "2. Your details": ("2. Twoje dane", "2. Ваши данные"),
    "Products": ("Produkty", "Товары"),
    "Your name": ("Imię i nazwisko", "Ваше имя"),
    "Phone": ("Telefon", "Телефон"),
    "E-mail": ("E-mail", "E-mail"),
    "Delivery": ("Dostawa", "Доставка"),
    "Street and number": ("Ulica i numer", "Улица и дом"),
    "Postcode": ("Kod pocztowy", "Индекс"),
    "City": ("Miasto", "Город"),
    "Country code (e.g. PL)": ("Kod kraju (np. PL)", "Код страны (например, RU)"),
    "Anything else?": ("Coś jeszcze?", "Что-нибудь ещё?"),
    "Send order request": ("Wyślij prośbę o zamówienie", "Отправить заявку"),
    "Order request received": ("Prośba o zamówienie przyjęta", "Заявка принята"),
    "Thank you: your order request is received": (
        "Dziękujemy: Twoja prośba o zamówienie została przyjęta", "Спасибо: ваша заявка на заказ принята"),
    "Your request number is {number}. It is stored safely and becomes an order as soon as our website is back; we "
    "will call you on {phone} to confirm it and arrange payment.": (
        "Numer Twojej prośby to {number}. Jest bezpiecznie zapisana i stanie się zamówieniem, gdy tylko strona "
        "wróci; zadzwonimy pod numer {phone}, aby ją potwierdzić i ustalić płatność.",
        "Номер вашей заявки: {number}. Она надёжно сохранена и станет заказом, как только сайт заработает; мы "
        "позвоним по номеру {phone}, чтобы подтвердить её и договориться об оплате."),
    "Quantity for {sku}: enter a number from 0 to 99.": (
        "Ilość dla {sku}: wpisz liczbę od 0 do 99.", "Количество для {sku}: введите число от 0 до 99."),
    "Choose at least one item (a quantity above 0).": (
        "Wybierz co najmniej jeden produkt (ilość większa od 0).",
        "Выберите хотя бы один товар (количество больше 0)."),
    "Choose how you want to receive the order.": (
        "Wybierz sposób odbioru zamówienia.", "Выберите способ получения заказа."),
    "{label} is required.": ("Pole „{label}” jest wymagane.", "Поле «{label}» обязательно."),
    "{label} is too long.": ("Pole „{label}” jest za długie.", "Поле «{label}» слишком длинное."),
    "Enter a valid e-mail address.": ("Wpisz poprawny adres e-mail.", "Введите правильный адрес e-mail."),
    "Enter the delivery address (street, postcode, city).": (
        "Wpisz adres dostawy (ulica, kod pocztowy, miasto).", "Введите адрес доставки (улица, индекс, город)."),
}


def gettext(language: str, text: str, **values) -> str:
    """`text` in `language` (English when missing), with {placeholders} filled in."""
    translated = text
    if language in ("pl", "ru") and text in CATALOG:
        translated = CATALOG[text][LANGUAGES.index(language) - 1]
    return translated.format(**values) if values else translated


def choose(query_lang: str, accept_language: str, default: str) -> str:
    if query_lang in LANGUAGES:
        return query_lang
    for part in accept_language.split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return default if default in LANGUAGES else "en"
