"""Settings of the delivery work (issue 12): where carrier labels are kept, EasyPost's defaults."""

from pathlib import Path

from steadfast.env import env_str

# Carrier label PDFs (names and addresses of customers): a private directory, never under MEDIA_ROOT (which the web
# server may serve to anyone); staff download them through the admin. Empty: <STEADFAST_DATA_DIR>/labels.
SHIPPING_LABEL_DIR = Path(env_str("SHIPPING_LABEL_DIR", "")) if env_str("SHIPPING_LABEL_DIR", "") else None
