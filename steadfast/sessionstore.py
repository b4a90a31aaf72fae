"""Database sessions read with one prepared SQL statement instead of a queryset (SESSION_ENGINE without Redis).

Every page a shopper with a cart opens reads their session first. Django's db backend builds and compiles an ORM
query for that on each request, which on a cached page was a quarter of the request's time (bench/page_profile.py,
issue 16). The row, the expiry rule and the writes are Django's own; only the read is plain SQL.
"""

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def load(self):
        data = self._session_data_from_db()
        if data is None:
            self._session_key = None  # as Django does: a missing or expired session starts afresh
            return {}
        return self.decode(data)

    def _session_data_from_db(self) -> str | None:
        if not self.session_key:
            return None
        alias = router.db_for_read(self.model)
        connection = connections[alias]
        table = connection.ops.quote_name(self.model._meta.db_table)
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT session_data FROM {table} WHERE session_key = %s AND expire_date > %s",
                [self.session_key, now],
            )
            row = cursor.fetchone()
        return row[0] if row else None
