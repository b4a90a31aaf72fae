"""The status app's models, one import for Django (app label "status", migrations unchanged) and for callers.

They live by concern: mode_models (shop modes, banner, partner shops, policies), incident_models (incidents, their
updates, subscribers), page_models (maintenance windows, checks of the shop's own website).
"""

from steadfast.status.incident_models import Impact, Incident, IncidentStatus, IncidentUpdate, Subscriber  # noqa: F401
from steadfast.status.mode_models import (  # noqa: F401
    ORDERING_BLOCKED,
    Action,
    Banner,
    Condition,
    Mode,
    ModeChange,
    PartnerShop,
    Policy,
    PolicyEvent,
    Severity,
    ShopMode,
)
from steadfast.status.page_models import MaintenanceWindow, OriginCheck  # noqa: F401
