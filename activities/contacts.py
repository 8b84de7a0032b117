"""respond.io contacts as Handoff reads them: the conversation a contact carries, its tags, and which contacts are an
agent's open conversations."""

from activities.respondio import JSONObject
from models.agents import Agent
from models.conversation import Conversation


def full_name(person: JSONObject) -> str:
    return f"{person.get('firstName') or ''} {person.get('lastName') or ''}".strip()


def agent_from_user(user: JSONObject) -> Agent:
    """A workspace user (``GET /space/user``) or a contact's ``assignee``."""
    team = (user.get("team") or {}).get("name")
    return Agent(id=user["id"], email=user.get("email") or "", name=full_name(user), team=team)


def conversation_from_contact(contact_id: int, contact: JSONObject) -> Conversation:
    """A contact without a status reads as closed: only an explicit ``open`` may keep an escalation going."""
    assignee = contact.get("assignee")
    return Conversation(
        contact_id=contact_id,
        contact_name=full_name(contact),
        status="open" if contact.get("status") == "open" else "close",
        assignee=agent_from_user(assignee) if assignee else None,
        tags=[tag for tag in contact.get("tags") or [] if isinstance(tag, str)],
    )


def tags_to_change(have: list[str], tags: list[str], remove: bool) -> list[str]:
    """The tags a change still has to send: those to add the contact lacks, or those to remove it has, spelled as
    the contact has them. Names compare case-insensitively, as the policy's tag conditions do, so a change a retry
    or an earlier step already made is not sent again."""
    had = {tag.casefold(): tag for tag in have}
    change: dict[str, str] = {}
    for tag in tags:
        key = tag.casefold()
        if key in change or (key in had) != remove:
            continue
        change[key] = had[key] if remove else tag
    return list(change.values())


def assigned_to(agent_id: int, open_only: bool = True) -> JSONObject:
    """``POST /contact/list``'s filter for the agent's contacts, by default only those with an open conversation.

    The field names, and the user id sent as a string, are those of respond.io's own TypeScript SDK
    (github.com/respond-io/typescript-sdk: README and tests), which shows ``assigneeUserId`` but not ``status``;
    respond.io's reference spells out neither.
    """
    conditions = [
        {"category": "contactField", "field": "assigneeUserId", "operator": "isEqualTo", "value": str(agent_id)}
    ]
    if open_only:
        conditions.append({"category": "contactField", "field": "status", "operator": "isEqualTo", "value": "open"})
    return {"$and": conditions}


def is_open_and_assigned_to(contact: JSONObject, agent_id: int) -> bool:
    """Checked on every listed contact, so a filter respond.io ignores or reads differently cannot skew the load."""
    return contact.get("status") == "open" and (contact.get("assignee") or {}).get("id") == agent_id
