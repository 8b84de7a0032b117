"""When a person's reply counts as an answer to an assignment: the one rule, for webhooks and the API alike.

respond.io writes message times on its own clock, at a precision its material does not pin down
(whole seconds in webhooks, sometimes milliseconds), while Handoff notes the assignment on the
worker's clock to the millisecond. A reply therefore counts unless it is provably earlier than the
assignment: its whole interval ``[at, at + precision)`` ends before the assignment by more than
the two clocks can disagree. A wrongful reassignment is worse than a late one.
"""

from datetime import datetime, timedelta

from models.timestamps import EpochTime

CLOCK_DISAGREEMENT = timedelta(seconds=1)
"""How far respond.io's clock and the worker's may differ (NTP keeps servers well within this)."""


def counts_after(sent: EpochTime, assigned_at: datetime) -> bool:
    """Whether a message sent at ``sent`` may have been written after ``assigned_at``."""
    return sent.at + sent.precision + CLOCK_DISAGREEMENT > assigned_at
