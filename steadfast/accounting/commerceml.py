"""Reading CommerceML 2 (1C's exchange format) safely with lxml: no DTD, no entities, no network, bounded size
and depth. A file that breaks any of these is refused with a reason, never half-read.

offers.xml (ПакетПредложений): per Предложение the SKU (Артикул, else Ид) and the quantity (Количество, or the sum
of Остатки/Остаток/Склад/Количество in schema 2.08+) and the price (Цены/Цена/ЦенаЗаЕдиницу).
"""

import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from lxml import etree

MAX_DEPTH = 32


class CommerceMLError(ValueError):
    """The file is not a CommerceML document we can trust."""


@dataclass
class Offers:
    stock: dict = field(default_factory=dict)  # sku -> units
    prices: dict = field(default_factory=dict)  # sku -> Decimal
    only_changes: bool = False


def _parser():
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
                           dtd_validation=False, remove_comments=True, remove_pis=True)


def parse_xml(data: bytes):
    """The document's root, or CommerceMLError: too big, a DOCTYPE (entities: XXE, billion laughs), too deep,
    not well-formed."""
    if len(data) > settings.ACCOUNTING_1C_MAX_BYTES:
        raise CommerceMLError(f"file larger than {settings.ACCOUNTING_1C_MAX_BYTES} bytes")
    depth = 0
    try:
        for event, _element in etree.iterparse(io.BytesIO(data), events=("start", "end"), resolve_entities=False,
                                               no_network=True, huge_tree=False, load_dtd=False):
            depth += 1 if event == "start" else -1
            if depth > MAX_DEPTH:
                raise CommerceMLError(f"nested deeper than {MAX_DEPTH} levels")
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as error:
        raise CommerceMLError(f"not well-formed XML: {error}") from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise CommerceMLError("a DOCTYPE is not allowed (CommerceML has none; entities could be an attack)")
    if etree.QName(root).localname != "КоммерческаяИнформация":
        raise CommerceMLError("the root element is not КоммерческаяИнформация")
    return root


def local_name(element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def child(element, name):
    return next((c for c in element if local_name(c) == name), None)


def text_of(element, name) -> str:
    found = child(element, name)
    return (found.text or "").strip() if found is not None else ""


def _number(text, what) -> Decimal:
    try:
        value = Decimal(text.replace(",", ".").replace("\xa0", "").replace(" ", ""))
    except InvalidOperation:
        raise CommerceMLError(f"{what}: {text!r} is not a number") from None
    if not value.is_finite() or value < 0:
        raise CommerceMLError(f"{what}: {text!r} is not a non-negative number")
    return value


def parse_offers(data: bytes) -> Offers:
    root = parse_xml(data)
    package = child(root, "ПакетПредложений")
    if package is None:
        raise CommerceMLError("no ПакетПредложений in offers.xml")
    offers = Offers(only_changes=package.get("СодержитТолькоИзменения", "false").lower() == "true")
    listed = child(package, "Предложения")
    for offer in (listed if listed is not None else []):
        if local_name(offer) != "Предложение":
            continue
        sku = text_of(offer, "Артикул") or text_of(offer, "Ид")
        if not sku:
            raise CommerceMLError("an offer without Артикул or Ид")
        quantity = text_of(offer, "Количество")
        if quantity:
            offers.stock[sku] = int(_number(quantity, f"{sku} Количество"))
        else:
            rests = _rests(offer)
            if rests:
                offers.stock[sku] = int(sum(_number(r, f"{sku} Остаток") for r in rests))
        prices = child(offer, "Цены")
        price = child(prices, "Цена") if prices is not None else None
        if price is not None and text_of(price, "ЦенаЗаЕдиницу"):
            offers.prices[sku] = _number(text_of(price, "ЦенаЗаЕдиницу"), f"{sku} ЦенаЗаЕдиницу")
    return offers


def _rests(offer) -> list[str]:
    """Quantities per warehouse (schema 2.08+: Остатки/Остаток/Склад/Количество), or per Остаток without one."""
    found = []
    for rest in offer.iter("{*}Остаток", "Остаток"):
        stores = [s for s in rest if local_name(s) == "Склад"]
        found += [text_of(s, "Количество") for s in stores] if stores else [text_of(rest, "Количество")]
    return [text for text in found if text]
