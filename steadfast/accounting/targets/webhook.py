"""A signed outgoing webhook for any other system: one POST per sync row, retried until a 2xx.

Config: api_base (the receiver's base URL) and path (default "/"). Secret: STEADFAST_<CODE>_SECRET.
Headers: X-Steadfast-Event-Id (the sync row's id: the same on every retry, so the receiver dedupes by it),
X-Steadfast-Timestamp (Unix seconds at sending), X-Steadfast-Signature "sha256=" + hex HMAC-SHA256 of
"<timestamp>.<body>" under the secret. The body is the row's stored snapshot serialised with sorted keys, so a retry
sends the same bytes. 2xx: delivered; 4xx: the receiver refuses this event (Rejected, staff see it); 5xx/429: down.
"""

import hashlib
import hmac
import json
import time

from steadfast.accounting.targets.base import AccountingTarget, Pushed
from steadfast.providers.call import check_response
from steadfast.providers.errors import Misconfigured, Rejected
from steadfast.providers.secrets import provider_secret, provider_secret_env


def webhook_body(*, event_id, seq, kind, payload) -> bytes:
    return json.dumps({"id": event_id, "sequence": seq, "type": f"order.{kind}", "order": payload},
                      sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def webhook_signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


class WebhookTarget(AccountingTarget):
    def push(self, client, *, payload, kind, event_id, seq, known) -> Pushed:
        secret = provider_secret(self.provider, "secret")
        if not secret:
            raise Misconfigured(f"{provider_secret_env(self.provider.code, 'secret')} is not set")
        body = webhook_body(event_id=event_id, seq=seq, kind=kind, payload=payload)
        timestamp = str(int(time.time()))
        headers = {"Content-Type": "application/json", "X-Steadfast-Event-Id": event_id,
                   "X-Steadfast-Timestamp": timestamp,
                   "X-Steadfast-Signature": webhook_signature(secret, timestamp, body)}
        response = check_response(client.post(self.provider.config.get("path", "/"), content=body, headers=headers))
        if response.status_code >= 300:
            raise Rejected(f"HTTP {response.status_code}: the receiver refused event {event_id}")
        return Pushed(remote_id=event_id)
