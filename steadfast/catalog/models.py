from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from steadfast.money import Money

# A packed side over this is not a parcel any carrier here takes (CDEK's limit is 300 cm): most likely millimetres
# typed into a centimetre box, so the form says so instead of quoting a crate.
MAX_SIDE_CM = 300
SIDES = ("length_cm", "width_cm", "height_cm")


class SideField(models.PositiveSmallIntegerField):
    """A packed side in whole cm. The form field has no bound of its own, so a bad value gets the model's messages
    below (Django's default for a positive field would say "greater than or equal to 0" for a -5)."""

    def formfield(self, **kwargs):
        from django import forms

        widget = forms.NumberInput(attrs={"min": 1, "max": MAX_SIDE_CM, "style": "width: 5em"})
        return super().formfield(**{"min_value": None, "widget": widget, **kwargs})


def side_field(label, help_text):
    return SideField(label, null=True, blank=True, help_text=help_text, validators=[
        MinValueValidator(1, _("A side is at least 1 cm.")),
        MaxValueValidator(MAX_SIDE_CM, _("Over %(limit_value)s cm is not a parcel: give the size in centimetres.")),
    ])


def sides_complete(instance):
    """All three sides or none: a parcel with one side known cannot be packed (ValidationError on the blanks)."""
    blank = [name for name in SIDES if getattr(instance, name) is None]
    if blank and len(blank) < len(SIDES):
        raise ValidationError({name: _("Give all three sides, or none.") for name in blank})


class Category(models.Model):
    parent = models.ForeignKey("self", null=True, blank=True, related_name="children", on_delete=models.PROTECT)
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=140, unique=True)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("storefront:category", args=[self.slug])

    def ancestors(self):
        chain, node = [], self.parent
        while node is not None:
            chain.insert(0, node)
            node = node.parent
        return chain

    def descendant_ids(self):
        """Ids of this category and every category below it (small trees: one query per level)."""
        ids, frontier = [self.pk], [self.pk]
        while frontier:
            frontier = list(Category.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
            ids.extend(frontier)
        return ids


class Product(models.Model):
    category = models.ForeignKey(
        Category, related_name="products", on_delete=models.PROTECT, verbose_name=_("category")
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # Packed weight of one unit; a variant may override it. Neither set: SHIPPING_DEFAULT_PARCEL_GRAMS per unit.
    weight_grams = models.PositiveIntegerField(
        _("weight (g)"), null=True, blank=True,
        help_text=_("Packed weight of one unit in grams, used for delivery quotes. Empty: the shop's default."),
    )
    # Packed size of one unit (cm), like the weight: a variant may override it; none: the shop's default box.
    length_cm = side_field(_("length (cm)"), _("Packed size of one unit in cm, sent to carriers. Empty: the "
                                              "shop's default box."))
    width_cm = side_field(_("width (cm)"), "")
    height_cm = side_field(_("height (cm)"), "")
    # Denormalised from the variants so listings sort and filter by price without a join per row.
    min_price = models.DecimalField(_("from price"), max_digits=12, decimal_places=2, default=0)
    in_stock = models.BooleanField(_("in stock"), default=False)
    # Stems of the name, description and category path (catalog.search), kept by catalog.services.
    search_text = models.TextField(_("search terms"), blank=True, default="", editable=False)
    search_name = models.TextField(_("search terms of the name"), blank=True, default="", editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        indexes = [models.Index(fields=["is_active", "min_price"]), models.Index(fields=["is_active", "created_at"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("storefront:product", args=[self.slug])

    @property
    def price(self) -> Money:
        return Money(self.min_price, settings.SHOP_CURRENCY)

    def clean(self):
        super().clean()
        sides_complete(self)

    def refresh_summary(self):
        """Recompute min_price and in_stock from the active variants."""
        variants = list(self.variants.filter(is_active=True))
        self.min_price = min((v.price for v in variants), default=0)
        self.in_stock = any(v.stock > 0 for v in variants)
        Product.objects.filter(pk=self.pk).update(min_price=self.min_price, in_stock=self.in_stock)


class Variant(models.Model):
    product = models.ForeignKey(Product, related_name="variants", on_delete=models.CASCADE, verbose_name=_("product"))
    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    # Options such as {"size": "M", "colour": "Blue"}.
    options = models.JSONField(_("options"), default=dict, blank=True)
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2)
    stock = models.IntegerField(
        _("stock"), default=0, help_text=_("Units available to sell (reserved units excluded).")
    )
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    weight_grams = models.PositiveIntegerField(
        _("weight (g)"), null=True, blank=True, help_text=_("Packed weight of one unit. Empty: the product's weight."),
    )
    length_cm = side_field(_("length (cm)"), _("Packed size of one unit. Empty: the product's size."))
    width_cm = side_field(_("width (cm)"), "")
    height_cm = side_field(_("height (cm)"), "")
    # The photo of this variant (the blue one for every size of the blue shirt): the product page shows it when the
    # variant is chosen, the cart shows it next to the line. None: the product's first photo.
    image = models.ForeignKey(
        "ProductImage", verbose_name=_("photo"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="variants", help_text=_("One of this product's photos, shown when this variant is chosen."),
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("variant")
        verbose_name_plural = _("variants")
        constraints = [
            models.CheckConstraint(condition=Q(stock__gte=0), name="variant_stock_not_negative"),
            models.CheckConstraint(condition=Q(price__gte=0), name="variant_price_not_negative"),
        ]

    def __str__(self):
        label = self.label
        return f"{self.product.name} — {label}" if label else self.product.name

    @property
    def label(self):
        return " / ".join(str(v) for v in self.options.values())

    @property
    def unit_weight_grams(self) -> int:
        """Packed weight of one unit: the variant's, else the product's, else the shop's default."""
        return self.weight_grams or self.product.weight_grams or settings.SHIPPING_DEFAULT_PARCEL_GRAMS

    @property
    def unit_sides_cm(self) -> tuple[int, int, int] | None:
        """Packed size of one unit (length, width, height in cm): the variant's, else the product's, else None
        (shipping.parcels counts the shop's default box for it)."""
        for owner in (self, self.product):
            sides = tuple(getattr(owner, name) for name in SIDES)
            if all(sides):
                return sides
        return None

    @property
    def unit_price(self) -> Money:
        return Money(self.price, settings.SHOP_CURRENCY)

    def clean(self):
        super().clean()
        sides_complete(self)
        if self.image_id is not None and self.image.product_id != self.product_id:
            raise ValidationError({"image": _("Choose one of this product's own photos.")})

    @property
    def picture(self):
        """This variant's photo, else the product's first one (prefetch product__images to avoid a query)."""
        if self.image_id is not None and self.image is not None:
            return self.image
        images = list(self.product.images.all())
        return images[0] if images else None


class ProductImage(models.Model):
    product = models.ForeignKey(Product, related_name="images", on_delete=models.CASCADE)
    image = models.ImageField(_("image"), upload_to="products/")
    alt = models.CharField(_("alternative text"), max_length=200, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("image")
        verbose_name_plural = _("images")

    def __str__(self):
        return self.alt or self.image.name
