"""Catalog admin: products are edited together with their variants and images."""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db.models import Count, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from steadfast.adminkit import ShopTimeAdminMixin
from steadfast.catalog.models import Category, Product, ProductImage, Variant
from steadfast.catalog.variant_forms import option_names, variant_form_fields, variant_options_form
from steadfast.orders.dashboard import products_with_low_stock_q
from steadfast.storefront.templatetags.shop import money


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "parent", "position", "is_active", "product_count")
    list_editable = ("position", "is_active")
    list_filter = ("is_active", "parent")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    list_select_related = ("parent",)
    fields = ("name", "slug", "parent", "position", "is_active", "description")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(product_total=Count("products"))

    @admin.display(description=_("products"), ordering="product_total")
    def product_count(self, category):
        return category.product_total


class VariantInline(admin.TabularInline):
    """Options are a column per option the product uses (Colour, Size), plus a pair to add one (variant_forms)."""

    model = Variant
    extra = 0
    min_num = 1  # a product without a variant cannot be sold

    def get_fields(self, request, obj=None):
        return variant_form_fields(option_names(obj), extra=("image",))

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, form=variant_options_form(option_names(obj)), **kwargs)
        # A variant's photo is one of its own product's photos (save a new photo first, then pick it here).
        field = formset.form.base_fields.get("image")
        if field is not None:
            field.queryset = ProductImage.objects.filter(product=obj) if obj else ProductImage.objects.none()
        return formset


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    extra = 0
    fields = ("preview", "image", "alt", "position")
    readonly_fields = ("preview",)

    @admin.display(description=_("preview"))
    def preview(self, image):
        if not image.pk or not image.image:
            return "—"
        return format_html('<img src="{}" alt="{}" class="sf-thumb sf-thumb-list">', image.image.url, image.alt)


class StockLevelFilter(admin.SimpleListFilter):
    title = _("stock level")
    parameter_name = "stock"

    def lookups(self, request, model_admin):
        return [
            ("low", _("Low stock (%(n)s or fewer of a variant)") % {"n": settings.SHOP_LOW_STOCK}),
            ("out", _("Sold out")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "low":
            return queryset.filter(products_with_low_stock_q())
        if self.value() == "out":
            return queryset.filter(in_stock=False)
        return queryset


class ProductForm(forms.ModelForm):
    class Meta:
        # The size's one help text under its last side: the three sides then fit on one row of the form.
        help_texts = {"length_cm": "", "height_cm": Product._meta.get_field("length_cm").help_text}


@admin.register(Product)
class ProductAdmin(ShopTimeAdminMixin, admin.ModelAdmin):
    form = ProductForm
    list_display = (
        "name", "thumbnail", "category", "from_price", "in_stock", "total_stock", "variant_count", "is_active",
    )
    list_filter = ("category", "is_active", "in_stock", StockLevelFilter)
    search_fields = ("name", "slug", "variants__sku")
    search_help_text = _("Product name or SKU.")
    prepopulated_fields = {"slug": ("name",)}
    list_select_related = ("category",)
    list_per_page = 50
    inlines = (VariantInline, ProductImageInline)
    fields = (
        ("name", "slug"), ("category", "is_active"), ("weight_grams",), "length_cm", "width_cm", "height_cm",
        "description",
        ("min_price_display", "in_stock", "updated_at"),
    )
    readonly_fields = ("min_price_display", "in_stock", "updated_at")

    def get_queryset(self, request):
        # Subqueries, not joins: a SKU search joins the variants too, and a join here would multiply the sums.
        variants = Variant.objects.filter(product=OuterRef("pk")).order_by().values("product")
        active = variants.filter(is_active=True)
        return super().get_queryset(request).annotate(
            stock_total=Coalesce(Subquery(active.annotate(n=Sum("stock")).values("n")), 0),
            variant_total=Coalesce(Subquery(variants.annotate(n=Count("pk")).values("n")), 0),
        ).prefetch_related("images")

    @admin.display(description="")
    def thumbnail(self, product):
        # .all() on the prefetched images: no query per row.
        images = product.images.all()
        if not images:
            return ""
        return format_html('<img src="{}" alt="" class="sf-thumb sf-thumb-list">', images[0].image.url)

    @admin.display(description=_("from price"), ordering="min_price")
    def from_price(self, product):
        return money(product.min_price)

    @admin.display(description=_("from price"))
    def min_price_display(self, product):
        return money(product.min_price)

    @admin.display(description=_("stock"), ordering="stock_total")
    def total_stock(self, product):
        return product.stock_total

    @admin.display(description=_("variants"), ordering="variant_total")
    def variant_count(self, product):
        return product.variant_total

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Listings sort and filter on the denormalised price and stock flag; keep them true to the variants.
        form.instance.refresh_summary()


@admin.register(Variant)
class VariantAdmin(admin.ModelAdmin):
    """A stock sheet: every variant on one page, stock and price editable in the list."""

    list_display = ("sku", "product", "label_display", "price", "stock", "is_active")
    list_editable = ("price", "stock", "is_active")
    list_filter = ("is_active", "product__category")
    search_fields = ("sku", "product__name")
    list_select_related = ("product",)
    autocomplete_fields = ("product",)
    ordering = ("product__name", "position", "pk")

    @admin.display(description=_("options"))
    def label_display(self, variant):
        return variant.label

    def get_fields(self, request, obj=None):
        return ["product", *variant_form_fields(option_names(obj.product if obj else None))]

    def get_form(self, request, obj=None, change=False, **kwargs):
        names = option_names(obj.product if obj else None)
        return super().get_form(request, obj, change, form=variant_options_form(names), **kwargs)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        obj.product.refresh_summary()
