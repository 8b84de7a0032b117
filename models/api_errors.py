"""The names of the respond.io failures that the escalation workflow tells apart (Temporal error types).

The activities raise them; the workflow reads them. They live here so neither side imports the other.
"""

UNAUTHORIZED = "RespondIOUnauthorized"
"""401/403: the token is refused. Not permanent: escalations pause as blocked until it works again."""
CONVERSATION_CLOSED = "ConversationClosed"
TAKEN_BY_A_PERSON = "TakenByAPerson"
"""A retried assignment found the conversation closed, or assigned by a person, since Handoff's check."""
