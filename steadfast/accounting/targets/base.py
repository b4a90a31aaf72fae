"""What every accounting adapter speaks. Adapters do I/O only: the replay worker (accounting/replay.py) records."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Known:
    """What we recorded about an order at this target after our last successful write (None before the first)."""

    remote_id: str
    version: str


@dataclass(frozen=True)
class Pushed:
    remote_id: str = ""
    version: str = ""  # the target's version stamp after our write, to notice someone else's change next time
    theirs: dict | None = None  # set when the target's copy changed on their side: a conflict, nothing written


class AccountingTarget:
    """Push targets implement push(); pull targets (1C polls us) set `pull = True` and have nothing to push."""

    pull = False

    def __init__(self, provider):
        self.provider = provider

    def push(self, client, *, payload: dict, kind: str, event_id: str, seq: int, known: Known | None) -> Pushed:
        raise NotImplementedError
