"""Writes for the waiting room's staff switch: the shared state in the cache and its audit row."""

from steadfast.waitroom import room
from steadfast.waitroom.models import SwitchChange


def room_switch(state: str, user=None, reason: str = "", actor: str = "") -> SwitchChange:
    """Set the switch for every node and record who, when and why. The row is written first: a switch the audit
    cannot record is not made."""
    if state not in room.STATES:
        raise ValueError(f"unknown waiting room state {state!r}")
    signed_in = getattr(user, "is_authenticated", False)
    row = SwitchChange.objects.create(
        user=user if signed_in else None, actor=(user.get_username() if signed_in else actor) or "system",
        from_state=room.mode(), to_state=state, reason=reason.strip(),
    )
    room.mode_set(state)
    return row
