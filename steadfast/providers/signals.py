"""Signals other apps hook into (status page, staff alerts) without the provider core knowing them."""

from django.dispatch import Signal

# Sent after every HealthEvent row is written: breaker transitions and staff enable/disable. kwargs: event.
health_changed = Signal()
