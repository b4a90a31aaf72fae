"""The variant picker of a product page, shaped for a template that works without JavaScript.

Every variant is one radio button (name="variant"), so the form posts one variant id whatever the options.
With two or more option names the radios are grouped under the first one: "Colour: Blue" -> S, M, L.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext


@dataclass
class Choice:
    variant: object
    label: str
    stock_state: str  # "in", "low" or "out": a CSS class and the data the enhancement script reads
    stock_label: str
    checked: bool = False
    image: object = None  # the variant's own ProductImage, set by the product page

    @property
    def available(self):
        return self.stock_state != "out"


@dataclass
class Group:
    legend: str
    choices: list = field(default_factory=list)


def stock_status(stock: int, low_stock: int) -> tuple[str, str]:
    if stock <= 0:
        return "out", _("Out of stock")
    if stock <= low_stock:
        return "low", ngettext("Only %(count)s left", "Only %(count)s left", stock) % {"count": stock}
    return "in", _("In stock")


def _title(key) -> str:
    return str(key).replace("_", " ").strip().capitalize()


def option_keys(variants) -> list:
    """Option names, the one with the fewest distinct values first (ties alphabetical).

    Not the stored key order: PostgreSQL's jsonb does not keep it, and the page must look the same on every database.
    """
    values: dict = {}
    for variant in variants:
        for key, value in (variant.options or {}).items():
            values.setdefault(key, set()).add(str(value))
    return sorted(values, key=lambda key: (len(values[key]), str(key)))


def variant_groups(variants, low_stock: int) -> list[Group]:
    keys = option_keys(variants)
    groups: dict[str, Group] = {}
    for variant in variants:
        options = variant.options or {}
        if len(keys) >= 2:
            first = keys[0]
            legend = f"{_title(first)}: {options.get(first, '—')}"
            label = " / ".join(str(options[k]) for k in keys[1:] if k in options) or str(options.get(first, ""))
        else:
            legend = _title(keys[0]) if keys else _("Option")
            label = str((variant.options or {}).get(keys[0], variant.sku)) if keys else variant.sku
        state, stock_label = stock_status(variant.stock, low_stock)
        groups.setdefault(legend, Group(legend)).choices.append(Choice(variant, label, state, stock_label))
    result = list(groups.values())
    # Pre-select the first variant that can be bought, so "Add to cart" works with one click.
    for choice in (c for g in result for c in g.choices):
        if choice.available:
            choice.checked = True
            break
    return result


def selected_choice(groups) -> Choice | None:
    return next((c for g in groups for c in g.choices if c.checked), None)
