"""Indexes that let a search find products without reading the whole table (catalog.search_match).

PostgreSQL only: a GIN index over the stored search stems as a `simple` tsvector (the expression must stay what
`SearchVector("search_text", config="simple")` compiles to), and a prefix index on the upper-cased SKU. SQLite has
neither kind (no full-text type, and its LIKE ignores indexes here), so it gets nothing.
"""

from django.db import migrations

INDEXES = [
    ("catalog_product_search_fts",
     "ON catalog_product USING gin (to_tsvector('simple'::regconfig, COALESCE(search_text, '')))"),
    ("catalog_variant_sku_upper_prefix", "ON catalog_variant (UPPER(sku::text) text_pattern_ops)"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, definition in INDEXES:
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} {definition}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, _definition in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0004_weights")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
