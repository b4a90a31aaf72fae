"""The demo catalog: a small outdoor-clothing shop with categories, variants, stock and generated pictures.

Loaded by `manage.py demo_data` (and so by `make demo`). Everything here is deterministic: the same SKUs,
prices, stock levels and images on every machine, so screenshots and walkthroughs match.
"""

import random
from dataclasses import dataclass
from decimal import Decimal

from django.utils.text import slugify

CLOTHING_SIZES = ("S", "M", "L", "XL")
SHOE_SIZES = ("39", "40", "41", "42", "43", "44", "45")
SOCK_SIZES = ("36-39", "40-43", "44-47")
POSTER_SIZES = ("A3", "A2", "50x70 cm")
# What a bigger size costs on top of the base price.
SURCHARGE = {"XL": Decimal("2.00"), "A2": Decimal("10.00"), "50x70 cm": Decimal("16.00")}
# Stock levels are drawn from this list (seeded by SKU): a few sold-out and low-stock variants on purpose.
STOCK_LEVELS = (0, 1, 2, 3, 5, 8, 12, 18, 25, 40)
STOCK_WEIGHTS = (1, 1, 1, 1, 2, 3, 3, 3, 3, 2)


@dataclass(frozen=True)
class Item:
    name: str
    price: str
    colours: tuple
    description: str
    sizes: tuple = ()
    sold_out: bool = False
    tint: str = ""  # the picture's colour when it is not the first colour (posters)

    @property
    def picture_colour(self):
        return self.tint or self.colours[0]

    @property
    def slug(self):
        return slugify(self.name)


# (parent name, [(category name, picture kind, [items])])
CATALOG = [
    ("Clothing", [
        ("T-shirts", "tshirt", [
            Item("Everyday Organic Tee", "19.90", ("White", "Navy", "Sage"),
                 "A soft, mid-weight tee in 100 % organic cotton. Pre-shrunk, with a taped neck that keeps its shape "
                 "wash after wash.", CLOTHING_SIZES),
            Item("Trail Map Graphic Tee", "24.90", ("Charcoal", "Sand"),
                 "Contour lines of our favourite ridge walk, screen-printed with water-based inks on a relaxed-fit "
                 "cotton tee.", CLOTHING_SIZES),
            Item("Merino Base Tee", "49.00", ("Black", "Storm Blue"),
                 "Fine 150 g merino wool that keeps you warm when it is cold and cool when it is not, and does not "
                 "smell after a three-day hike.", CLOTHING_SIZES),
            Item("Heavyweight Pocket Tee", "27.50", ("Oatmeal", "Forest"),
                 "A boxy 240 g cotton tee with a chest pocket. Built for workshop days and still fine for dinner.",
                 CLOTHING_SIZES),
        ]),
        ("Hoodies", "hoodie", [
            Item("Harbour Zip Hoodie", "64.90", ("Navy", "Heather Grey"),
                 "Brushed-back fleece, a two-way zip and deep hand pockets. The one you reach for on every chilly "
                 "evening.", CLOTHING_SIZES),
            Item("Campfire Pullover Hoodie", "59.00", ("Rust", "Black"),
                 "A heavy cotton pullover with a double-layer hood and ribbed cuffs that stay put.", CLOTHING_SIZES),
            Item("Loop-back Light Hoodie", "54.00", ("Sage",),
                 "Un-brushed loop-back cotton for mild days: breathable, quick to dry, easy to pack.", CLOTHING_SIZES),
        ]),
        ("Jackets", "jacket", [
            Item("Stormline Rain Jacket", "129.00", ("Yellow", "Navy"),
                 "Three-layer waterproof shell with taped seams, pit zips and a hood that turns with your head.",
                 CLOTHING_SIZES),
            Item("Ridge Down Jacket", "189.00", ("Black", "Olive"),
                 "Responsibly sourced 700-fill down in a light ripstop shell; packs into its own pocket.",
                 CLOTHING_SIZES),
            Item("Waxed Cotton Field Jacket", "159.00", ("Tan",),
                 "Waxed cotton that shrugs off drizzle and ages beautifully, with four bellows pockets and a "
                 "corduroy collar.", CLOTHING_SIZES),
        ]),
    ]),
    ("Shoes", [
        ("Running", "runner", [
            Item("Tempo Road Runner", "109.00", ("Blue",),
                 "A responsive everyday trainer with a breathable knit upper and a durable rubber outsole.",
                 SHOE_SIZES),
            Item("Switchback Trail Runner", "129.00", ("Orange",),
                 "Aggressive 5 mm lugs, a rock plate and a gusseted tongue that keeps grit out on technical trails.",
                 SHOE_SIZES),
            Item("Featherlight Racer", "139.00", ("Red",),
                 "Our lightest racing flat, 180 g in size 42. Sold out for now; the next batch is on its way.",
                 SHOE_SIZES, sold_out=True),
        ]),
        ("Boots", "boot", [
            Item("Summit Leather Hiking Boot", "169.00", ("Brown",),
                 "Full-grain leather, a waterproof membrane and a stiff sole for long days with a heavy pack.",
                 SHOE_SIZES),
            Item("City Chelsea Boot", "149.00", ("Black",),
                 "Clean suede Chelsea boots with elastic sides and a cushioned crepe sole.", SHOE_SIZES),
            Item("Winter Lined Boot", "159.00", ("Charcoal",),
                 "Wool-lined, with a grippy winter rubber outsole rated to minus twenty.", SHOE_SIZES),
        ]),
    ]),
    ("Accessories", [
        ("Bags", "bag", [
            Item("Commuter Backpack 22 L", "89.00", ("Black", "Olive", "Navy"),
                 "A padded laptop sleeve, a water-resistant base and a side zip straight into the main "
                 "compartment."),
            Item("Canvas Tote", "29.00", ("Natural", "Black"),
                 "Heavy 16 oz canvas with leather handles; carries the weekly shop without complaint."),
            Item("Roll-top Dry Bag 15 L", "39.00", ("Yellow", "Blue"),
                 "Welded seams and a roll-top closure keep kit dry on the boat, the bike and the beach."),
            Item("Weekend Duffel 40 L", "119.00", ("Tan",),
                 "Waxed canvas, brass hardware and a detachable shoulder strap: fits carry-on limits."),
        ]),
        ("Hats", "hat", [
            Item("Ribbed Merino Beanie", "22.00", ("Rust", "Charcoal", "Cream"),
                 "A snug, double-layer merino beanie that does not itch."),
            Item("Six-panel Cap", "26.00", ("Navy", "Sand"),
                 "Washed cotton twill, an adjustable strap and a soft pre-curved brim."),
            Item("Wide-brim Sun Hat", "34.00", ("Khaki",),
                 "UPF 50 fabric, a 9 cm brim and a chin cord for windy days on the water."),
        ]),
        ("Socks", "sock", [
            Item("Merino Hiking Socks", "18.00", ("Grey",),
                 "Cushioned under foot, thin over the toes; merino and nylon for miles without blisters.",
                 SOCK_SIZES),
            Item("Everyday Cotton Socks 3-pack", "15.00", ("Mixed",),
                 "Three pairs of combed-cotton socks in muted colours, reinforced at heel and toe.", SOCK_SIZES),
            Item("Running Ankle Socks", "12.00", ("White", "Black"),
                 "A light, vented ankle sock with a tab that keeps your heel from rubbing.", SOCK_SIZES),
        ]),
    ]),
    ("Home", [
        ("Mugs", "mug", [
            Item("Enamel Camp Mug", "16.00", ("White", "Blue", "Green"),
                 "Steel with a glossy enamel finish, 350 ml: at home on the stove and in the dishwasher."),
            Item("Stoneware Coffee Mug", "18.00", ("Speckled", "Ink"),
                 "Hand-glazed stoneware from a small pottery; every one is slightly different."),
            Item("Insulated Travel Mug", "32.00", ("Steel", "Matte Black"),
                 "Double-walled, leak-proof and keeps coffee hot for four hours."),
        ]),
        ("Posters", "poster", [
            Item("Mountain Sunrise Poster", "24.00", ("Print",),
                 "A giclée print on 250 g matte paper, signed by the illustrator.", POSTER_SIZES, tint="Rust"),
            Item("Coastline Map Poster", "29.00", ("Print",),
                 "A hand-drawn map of the northern coastline with every lighthouse marked.", POSTER_SIZES,
                 tint="Forest"),
            Item("Night Sky Constellations Poster", "26.00", ("Print",),
                 "The winter sky over the mountains, printed in silver ink on deep blue paper.", POSTER_SIZES,
                 tint="Ink"),
        ]),
    ]),
]


def sku_for(number: int, colour: str, size: str) -> str:
    parts = [f"SF{number:03d}"]
    if colour != "Print":
        parts.append(slugify(colour).replace("-", "")[:3].upper())
    if size:
        parts.append(slugify(size).replace("-", "").upper())
    return "-".join(parts)


def variants_for(number: int, item: Item):
    """[(sku, options, price, stock)] for every colour x size of an item."""
    rows = []
    for colour in item.colours:
        for size in item.sizes or ("",):
            options = {}
            if len(item.colours) > 1 or colour not in ("Print", "Mixed"):
                options["colour"] = colour
            if size:
                options["size"] = size
            sku = sku_for(number, colour, size)
            price = Decimal(item.price) + SURCHARGE.get(size, Decimal("0"))
            stock = 0 if item.sold_out else random.Random(sku).choices(STOCK_LEVELS, STOCK_WEIGHTS)[0]
            rows.append((sku, options, price, stock))
    return rows
