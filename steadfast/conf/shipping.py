"""Delivery (shipping/, docs/delivery.md): live carrier prices, parcels, shipment retries, tracking and labels."""

from pathlib import Path

from steadfast.env import env_float, env_int, env_str

# Delivery (docs/delivery.md): carriers are asked for prices in parallel within one deadline (seconds).
SHIPPING_QUOTE_DEADLINE = env_float("SHIPPING_QUOTE_DEADLINE", 2, 0.1, 30)
SHIPPING_QUOTE_TTL = env_int("SHIPPING_QUOTE_TTL", 1800, 60)  # seconds a live price shown stays valid
# How long a carrier's last good price per route may be offered as an estimate while it is out (shipping/routes.py).
SHIPPING_ESTIMATE_MAX_AGE = env_int("SHIPPING_ESTIMATE_MAX_AGE", 7 * 86400, 60)
SHIPPING_DEFAULT_PARCEL_GRAMS = env_int("SHIPPING_DEFAULT_PARCEL_GRAMS", 1000, 1)
# The box (length x width x height, cm) counted for a unit whose packed size nobody entered (shipping/parcels.py).
SHIPPING_DEFAULT_BOX_CM = tuple(sorted((env_int(f"SHIPPING_DEFAULT_BOX_{side}_CM", default, 1, 300)
                                        for side, default in (("LENGTH", 30), ("WIDTH", 20), ("HEIGHT", 10))),
                                       reverse=True))
SHIPPING_RETRY_SECONDS = env_int("SHIPPING_RETRY_SECONDS", 60, 1)  # first retry of a shipment; doubles up to 1 h
# Staff are alerted once when a shipment has waited this long to be registered at its carrier (shipping/watch.py).
SHIPPING_BACKLOG_MINUTES = env_int("SHIPPING_BACKLOG_MINUTES", 30, 1)
SHIPPING_TRACK_SECONDS = env_int("SHIPPING_TRACK_SECONDS", 1800, 60)  # carrier status polls of a shipment
# Carrier label PDFs (names and addresses of customers): a private directory, never under MEDIA_ROOT (which the web
# server may serve to anyone); staff download them through the admin. Empty: <STEADFAST_DATA_DIR>/labels.
SHIPPING_LABEL_DIR = Path(env_str("SHIPPING_LABEL_DIR", "")) if env_str("SHIPPING_LABEL_DIR", "") else None
