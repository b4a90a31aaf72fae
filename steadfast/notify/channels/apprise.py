"""Apprise (https://github.com/caronc/apprise): one generic channel for Slack, Matrix, Discord, ntfy, webhooks...

Secret: STEADFAST_<CODE>_URLS, one or more Apprise URLs separated by spaces or commas (they carry tokens, so they
are secrets). The staff chain ends with it; customers have no Apprise address. Apprise answers only "all sent" or
not, so a failure is Unavailable (temporary); a URL Apprise cannot parse is Misconfigured. Timeouts: add
?cto=<connect>&rto=<read> to the URLs (the provider's own timeouts do not reach Apprise's HTTP client).
"""

import apprise as apprise_lib

from steadfast.notify.channels.base import required_secret
from steadfast.providers.errors import Misconfigured, Unavailable


class AppriseChannel:
    channel = "apprise"

    def __init__(self, provider):
        self.provider = provider

    def _targets(self):
        urls = required_secret(self.provider, "urls").replace(",", " ").split()
        targets = apprise_lib.Apprise()
        for url in urls:
            if not targets.add(url):
                raise Misconfigured(f"Apprise cannot use URL number {urls.index(url) + 1}")
        return targets

    def send(self, client, outgoing) -> str:
        if not self._targets().notify(title=outgoing.subject, body=outgoing.text):
            raise Unavailable("Apprise: at least one target did not take the message")
        return ""
