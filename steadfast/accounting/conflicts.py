"""Staff decisions on conflicts (an order changed in the accounting system too)."""

from django.db import transaction
from django.utils import timezone

from steadfast.accounting.models import Conflict, RemoteOrder, SyncRow


def conflict_send_ours(conflict: Conflict, actor: str) -> bool:
    """Overwrite their copy with ours: their version becomes the one we expect, and this order's rows set aside as
    conflicts go back in line (in their order: none of the order's later rows can have been sent meanwhile, as
    each of them met the same changed version). False when it was no longer open or is not about an order."""
    if conflict.subject != Conflict.Subject.ORDER:
        return False
    with transaction.atomic():
        if not Conflict.objects.filter(pk=conflict.pk, resolved_at__isnull=True).update(
                resolved_at=timezone.now(), resolution=f"ours sent again by {actor}"[:200]):
            return False
        RemoteOrder.objects.filter(target=conflict.target, order_number=conflict.reference).update(
            version=str(conflict.theirs.get("updated", "")))
        SyncRow.objects.filter(target=conflict.target, order_number=conflict.reference,
                               state=SyncRow.State.CONFLICT).update(state=SyncRow.State.PENDING, last_error="")
        Conflict.objects.filter(target=conflict.target, subject=Conflict.Subject.ORDER, reference=conflict.reference,
                                resolved_at__isnull=True).update(resolved_at=timezone.now(),
                                                                 resolution=f"ours sent again by {actor}"[:200])
    return True
