"""Every version of the escalation workflow a worker runs, and how visibility queries find them all.

New openings start ``Escalation``; runs of an older type keep running on their own code until they end.
"""

from workflows.escalation import Escalation
from workflows.escalation_v1 import ConversationEscalation

ESCALATION_WORKFLOWS = [Escalation, ConversationEscalation]
ESCALATIONS = "WorkflowType IN ({})".format(", ".join(f"'{w.__name__}'" for w in ESCALATION_WORKFLOWS))
"""A visibility query clause that matches the escalations of every version."""
