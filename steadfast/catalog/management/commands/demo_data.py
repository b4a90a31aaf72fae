"""Load the demo catalog (steadfast/catalog/demo.py). Safe to run again: existing rows are kept as they are."""

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.text import slugify

from steadfast.catalog.demo import CATALOG, variants_for
from steadfast.catalog.demo_images import product_picture
from steadfast.catalog.models import Category, Product, ProductImage, Variant

# Packed weight of one unit per kind of product (grams): delivery quotes sum these (docs/delivery.md).
KIND_GRAMS = {"tshirt": 250, "hoodie": 700, "jacket": 900, "runner": 800, "boot": 1600, "bag": 600, "hat": 150,
              "sock": 100, "mug": 450, "poster": 300}
# Packed size of one unit per kind (length, width, height in cm): carriers are sent the stacked parcel.
KIND_SIDES_CM = {"tshirt": (30, 22, 3), "hoodie": (35, 28, 8), "jacket": (40, 30, 10), "runner": (33, 22, 12),
                 "boot": (36, 26, 14), "bag": (45, 30, 12), "hat": (25, 25, 12), "sock": (20, 10, 2),
                 "mug": (14, 11, 11), "poster": (62, 8, 8)}


class Command(BaseCommand):
    help = "Create the demo catalog: categories, products with variants and stock, and product pictures."

    def handle(self, *args, **options):
        created = {"categories": 0, "products": 0, "variants": 0, "images": 0}
        number = 0
        for parent_position, (parent_name, children) in enumerate(CATALOG):
            parent = self._category(parent_name, None, parent_position, created)
            for position, (name, kind, items) in enumerate(children):
                category = self._category(name, parent, position, created)
                for item in items:
                    number += 1
                    with transaction.atomic():
                        product = self._product(category, item, number, created, KIND_GRAMS.get(kind))
                        self._sides(product, KIND_SIDES_CM.get(kind))
                    self._image(product, kind, item, created)
                    self._colour_images(product, kind, item, created)
        total = Product.objects.count()
        self.stdout.write(
            f"Demo catalog: {total} products ({created['products']} new, {created['variants']} new variants, "
            f"{created['images']} new pictures, {created['categories']} new categories)."
        )

    def _category(self, name, parent, position, created):
        slug = slugify(name)
        category, new = Category.objects.get_or_create(
            slug=slug, defaults={"name": name, "parent": parent, "position": position}
        )
        created["categories"] += new
        return category

    def _product(self, category, item, number, created, grams=None):
        product, new = Product.objects.get_or_create(
            slug=item.slug, defaults={"name": item.name, "category": category, "description": item.description,
                                      "weight_grams": grams}
        )
        created["products"] += new
        for position, (sku, options, price, stock) in enumerate(variants_for(number, item)):
            # Existing variants keep their stock and price: orders placed in the demo must not be undone.
            _, new_variant = Variant.objects.get_or_create(
                sku=sku,
                defaults={"product": product, "options": options, "price": price, "stock": stock, "position": position},
            )
            created["variants"] += new_variant
        product.refresh_summary()
        return product

    def _sides(self, product, sides):
        # Also for a product loaded before sizes existed; a size staff entered is kept.
        if sides and product.length_cm is None and product.width_cm is None and product.height_cm is None:
            product.length_cm, product.width_cm, product.height_cm = sides
            product.save(update_fields=["length_cm", "width_cm", "height_cm"])

    def _image(self, product, kind, item, created):
        image = product.images.first()
        if image is not None and image.image and image.image.storage.exists(image.image.name):
            return
        name = f"products/{product.slug}.jpg"
        if image is None:
            image = ProductImage(product=product, alt=item.name, position=0)
        storage = image.image.storage
        if storage.exists(name):
            # A leftover file from an earlier database: replace it so the name stays stable.
            storage.delete(name)
        image.image.save(name.split("/", 1)[1], ContentFile(product_picture(kind, item.name, item.picture_colour)))
        created["images"] += 1

    def _colour_images(self, product, kind, item, created):
        """One picture per colour of a multi-colour item, linked to that colour's variants (the product page swaps
        to it when the colour is chosen; the cart shows it). The first colour uses the product's main picture."""
        if len(item.colours) < 2 or item.tint:
            return
        main = product.images.order_by("position", "pk").first()
        for position, colour in enumerate(item.colours):
            image = main if position == 0 else product.images.filter(alt=f"{item.name} — {colour}").first()
            if image is None:
                image = ProductImage(product=product, alt=f"{item.name} — {colour}", position=position)
                name = f"{product.slug}-{slugify(colour)}.jpg"
                if image.image.storage.exists(f"products/{name}"):
                    image.image.storage.delete(f"products/{name}")
                image.image.save(name, ContentFile(product_picture(kind, item.name, colour)))
                created["images"] += 1
            product.variants.filter(options__colour=colour, image__isnull=True).update(image=image)
