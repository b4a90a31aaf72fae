"""Carrier labels: fetched from the carrier by the worker after registration (or by staff), kept as a PDF file in a
private directory (SHIPPING_LABEL_DIR), never in the database, downloaded by staff from the shipment's admin page."""

import logging
from functools import partial

from django.core.files.base import ContentFile

from steadfast.providers.call import call
from steadfast.providers.errors import ProviderError
from steadfast.providers.registry import adapter_for
from steadfast.shipping.models import Shipment

log = logging.getLogger(__name__)
MAX_LABEL_BYTES = 5 * 1024 * 1024


class LabelError(Exception):
    pass


def shipment_label_fetch(shipment_id: int) -> Shipment:
    """Ask the carrier for the label of a registered shipment and keep it (again: replaces the file)."""
    shipment = Shipment.objects.select_related("order", "provider").get(pk=shipment_id)
    if shipment.provider_id is None or not shipment.reference:
        raise LabelError("the shipment is not registered at a carrier")
    adapter = adapter_for(shipment.provider)
    try:
        pdf = call(shipment.provider, "label", partial(adapter.label, shipment.reference),
                   reference=shipment.order.number, background=True)
    except ProviderError as error:
        raise LabelError(f"{shipment.provider.name}: {error}") from None
    if not isinstance(pdf, bytes) or not pdf.startswith(b"%PDF-") or len(pdf) > MAX_LABEL_BYTES:
        raise LabelError(f"{shipment.provider.name} did not send a PDF label")
    old = shipment.label.name if shipment.label else ""
    shipment.label.save(f"{shipment.order.number}.pdf", ContentFile(pdf), save=False)
    Shipment.objects.filter(pk=shipment.pk).update(label=shipment.label.name)
    if old and old != shipment.label.name:
        shipment.label.storage.delete(old)
    return shipment
