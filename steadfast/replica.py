"""An optional PostgreSQL read replica (DATABASE_REPLICA_URL): catalog pages and the status page read from it.

Only GET requests for pages that may be a moment old use it: the catalog (home, categories, products, search and
their API) and the public status page. Everything else reads the primary: checkout, cart, orders, accounts, the
admin, every write, every read inside a transaction (stock is locked there), and any read after this request wrote
(so a shopper never sees their own change missing). The choice is per request, made by ReplicaMiddleware and held
in a context variable the router reads; without DATABASE_REPLICA_URL the router sends everything to the primary.
"""

from contextvars import ContextVar

from django.db import connections

REPLICA = "replica"
# GET paths whose pages may lag the primary by the replica's delay.
READ_PATHS = ("/c/", "/p/", "/search/", "/status/", "/api/v1/products", "/api/v1/categories")
# Always on the primary, and their writes do not make this request's reads stale: the database cache, sessions,
# and the shop-mode singleton, which every page reads with get_or_create (routed as a write) and only staff change.
NOT_DATA = {"django_cache", "sessions", "status.shopmode"}
_use_replica: ContextVar[bool] = ContextVar("steadfast_use_replica", default=False)


def replica_allowed(path: str, method: str) -> bool:
    return method in ("GET", "HEAD") and (path == "/" or path.startswith(READ_PATHS))


def _not_data(model) -> bool:
    return model._meta.app_label in NOT_DATA or model._meta.label_lower in NOT_DATA


class ReplicaMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _use_replica.set(replica_allowed(request.path_info, request.method))
        try:
            return self.get_response(request)
        finally:
            _use_replica.reset(token)


class ReplicaRouter:
    """Reads go to the replica only while the request allows it and nothing was written or locked on the primary."""

    def db_for_read(self, model, **hints):
        if (_use_replica.get() and REPLICA in connections.settings and not _not_data(model)
                and not connections["default"].in_atomic_block):
            return REPLICA
        return "default"

    def db_for_write(self, model, **hints):
        if not _not_data(model):
            _use_replica.set(False)  # read your own writes: the rest of this request reads the primary
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data on both sides

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"  # the replica gets its schema from the primary (replication or restore)
