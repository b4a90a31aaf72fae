"""How a search word finds products in the database without reading every row.

A word matches a product when one of its stems starts a stored stem (`Product.search_text`, catalog.search) or when
it starts one of the product's active SKUs. Each word gives one subquery of product ids, a UNION of the two, so the
database can answer each half from an index instead of filtering the whole product table:

- PostgreSQL: the stems are a prefix full-text query (`'stem':*`, `simple` config: no stemming, no stop words, our
  own stems are stored already) over the GIN index on `to_tsvector('simple', search_text)`, and the SKU a
  `UPPER(sku) LIKE 'WORD%'` over the `text_pattern_ops` index on `UPPER(sku)` (migration catalog 0005). The stored
  stems are space-separated `\\w+` words, which PostgreSQL's parser splits the same way (except at "_", which it also
  splits at: such a stem then matches by its parts).
- SQLite has no such index: `LIKE '% stem%'` over the stored stems, the same results, and the SKU prefix.
"""

from django.db import connection
from django.db.models import Q, QuerySet

from steadfast.catalog.models import Product, Variant

FTS_CONFIG = "simple"


def word_ids(word: str, stems) -> QuerySet:
    """Ids of products the word finds: by the stems of name, description and category, or as a SKU prefix."""
    return _text_ids(sorted(stems)).union(_variant_ids(Q(sku__istartswith=word)))


def sku_exact_ids(text: str) -> QuerySet:
    return _variant_ids(Q(sku__iexact=text))


def _variant_ids(condition) -> QuerySet:
    return Variant.objects.filter(condition, is_active=True).order_by().values("product_id")


def _text_ids(stems) -> QuerySet:
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        # Each stem is \w+ (catalog.search), so quoting it is safe; ":*" is "a lexeme starting with".
        query = SearchQuery(" | ".join(f"'{stem}':*" for stem in stems), search_type="raw", config=FTS_CONFIG)
        matched = Product.objects.alias(terms=SearchVector("search_text", config=FTS_CONFIG)).filter(terms=query)
    else:
        found = Q()
        for stem in stems:
            found |= Q(search_text__contains=f" {stem}")
        matched = Product.objects.filter(found)
    return matched.order_by().values("pk")
