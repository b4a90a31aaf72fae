"""The migration that adds the stored search terms fills them for the products already in the shop."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("catalog", "0001_initial")]
AFTER = [("catalog", "0002_product_search_terms")]


@pytest.mark.django_db(transaction=True)
def test_existing_products_become_searchable_after_migrating():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        clothing = old.get_model("catalog", "Category").objects.create(name="Clothing", slug="clothing")
        hoodies = old.get_model("catalog", "Category").objects.create(name="Hoodies", slug="hoodies", parent=clothing)
        old.get_model("catalog", "Product").objects.create(category=hoodies, name="Harbour Zip", slug="harbour-zip")

        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(AFTER)
        new = executor.loader.project_state(AFTER).apps
        product = new.get_model("catalog", "Product").objects.get(slug="harbour-zip")
        assert {"harbour", "zip", "hoodi", "clothing"} <= set(product.search_text.split()), product.search_text
        assert set(product.search_name.split()) >= {"harbour", "zip"} and "hoodi" not in product.search_name.split()
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
