"""1C pulls: its site-exchange module polls the shop (accounting/onec_views.py), nothing is pushed.

Its sync rows are handed over in `mode=query` and marked synced on `mode=success`; the SyncTarget's last_poll_at
says when it last came, and a 1C that has not polled for ACCOUNTING_1C_POLL_MINUTES counts as down.
"""

from steadfast.accounting.targets.base import AccountingTarget


class OneCTarget(AccountingTarget):
    pull = True
