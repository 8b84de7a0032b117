"""The policy in words: one vocabulary for the Temporal UI's story of an escalation and for the CLI, so a support
lead reads the same sentence for a step wherever it shows."""

from datetime import timedelta

from models.durations import spoken_duration
from workflows.policy import Assign, Branch, Close, Policy, Step
from workflows.policy_conditions import AnyAllNone, Condition, TimeSince

OTHERWISE = "otherwise:"
"""Heads a branch's ``else`` steps."""

SUMMARY_MAX_CHARS = 200
"""A summary is one line; a long comment is cut short here (the activity's input keeps all of it)."""


def one_line(text: str) -> str:
    """Text on one line, cut short at ``SUMMARY_MAX_CHARS``."""
    line = " ".join(text.split())
    return line if len(line) <= SUMMARY_MAX_CHARS else line[: SUMMARY_MAX_CHARS - 1] + "…"


def policy_outline(policy: Policy) -> str:
    """The policy's steps as a flat Markdown list, for the escalation's static details: a step inside a branch or
    an assign timeout is marked ``↳`` once per level, as the Temporal UI shows nested lists inline."""
    return "\n".join([f"**Policy {policy.name}**", "", *_outline(policy.steps, 0)])


def _outline(steps: list[Step], depth: int) -> list[str]:
    lines: list[str] = []
    item = "- " + "↳ " * depth
    for step in steps:
        lines.append(f"{item}{step_words(step)}")
        if step.assign is not None and step.assign.timeout.steps:
            lines.append(f"{item}↳ {timeout_words(step.assign)}")
            lines.extend(_outline(step.assign.timeout.steps, depth + 2))
        elif step.branch is not None:
            lines.extend(_outline(step.branch.then, depth + 1))
            if step.branch.else_:
                lines.append(f"{item}{OTHERWISE}")
                lines.extend(_outline(step.branch.else_, depth + 1))
        elif step.repeat is not None:
            lines.extend(_outline(step.repeat.steps, depth + 1))
    return lines


def step_words(step: Step) -> str:
    """What one step does, without the steps nested in it (a branch or a repeat ends with a colon: they follow)."""
    if step.assign is not None:
        during = f", during {step.assign.within_hours}'s hours" if step.assign.within_hours else ""
        return f"assign to {target(step.assign)}{during}"
    if step.wait is not None:
        return f"wait {_wait_length(step)}"
    if step.branch is not None:
        return f"if {conditions(step.branch)}:"
    if step.comment is not None:
        return f"comment “{one_line(step.comment)}”"
    if step.message is not None:
        return f"send the customer “{one_line(step.message)}”"
    if step.close is not None:
        return _close(step.close)
    if step.add_tag is not None:
        return f"tag the contact {', '.join(step.add_tag)}"
    if step.remove_tag is not None:
        return f"untag the contact {', '.join(step.remove_tag)}"
    assert step.repeat is not None  # a step is exactly one kind
    return f"repeat {step.repeat.times} time{'s' if step.repeat.times > 1 else ''}:"


def _wait_length(step: Step) -> str:
    """How long a wait step waits, e.g. ``15 min`` or ``15 min of support-eu's hours``."""
    calendar = step.wait_calendar
    return business_time(step.wait_for, calendar) if calendar else spoken_duration(step.wait_for)


def business_time(length: timedelta, calendar: str, at_least: timedelta = timedelta(0)) -> str:
    """A length of business time: counted only while a calendar is open (never said as less than ``at_least``)."""
    return f"{spoken_duration(length, at_least=at_least)} of {calendar}'s hours"


def timeout_words(assign: Assign) -> str:
    """Heads the steps an assign runs when nobody is eligible in time."""
    return f"if nobody is eligible within {spoken_duration(assign.timeout.after)}:"


def _close(close: Close) -> str:
    words = "close the conversation"
    if close.category:
        words += f" as “{close.category}”"
    if close.summary:
        words += f" with the summary “{one_line(close.summary)}”"
    return words


def target(assign: Assign) -> str:
    """Whom an assign step picks from and how, e.g. ``team Tier 2 by round robin, only online``."""
    if assign.user is not None:
        return assign.describe()
    words = [f"{assign.describe()} by {assign.strategy.replace('_', ' ')}"]
    if assign.only_online:
        words.append("only online")
    if assign.max_open is not None:
        words.append(f"at most {assign.max_open} open")
    return ", ".join(words)


def conditions(branch: Branch) -> str:
    """A branch's test as a sentence, e.g. ``the conversation is open and no reply since the assignment``."""
    joiner = " and " if branch.all is not None else " or "
    return joiner.join(condition_words(condition) for condition in branch.conditions)


def condition_words(condition: Condition) -> str:
    """One condition as a clause, e.g. ``the contact is tagged any of vip, gold``."""
    if condition.conversation_status is not None:
        return f"the conversation is {condition.conversation_status}"
    if condition.no_reply_since_assignment is not None:
        return f"{'no' if condition.no_reply_since_assignment else 'a'} reply since the assignment"
    if condition.within_hours is not None:
        return f"within {condition.within_hours}'s hours"
    if condition.last_incoming_message is not None:
        return f"the customer's latest message is {_age(condition.last_incoming_message)}"
    if condition.contact_tag is not None:
        return _listed("the contact is tagged", "the contact is not tagged", condition.contact_tag)
    if condition.channel is not None:
        return _listed("the channel is", "the channel is not", condition.channel)
    return f"the assignee is {'online' if condition.assignee_online else 'offline'}"


def _age(since: TimeSince) -> str:
    if since.more_than is not None:
        return f"more than {spoken_duration(since.more_than)} old"
    return f"less than {spoken_duration(since.less_than or timedelta(0))} old"


def _listed(positive: str, negative: str, test: AnyAllNone) -> str:
    """A list test as a clause: one value reads plainly (``the channel is WhatsApp``), several name the test."""
    if test.any_of is not None:
        return _values(positive, "any of", test.any_of)
    if test.all_of is not None:
        return _values(positive, "all of", test.all_of)
    none_of = test.none_of or []
    return f"{negative} {none_of[0]}" if len(none_of) == 1 else _values(positive, "none of", none_of)


def _values(clause: str, test: str, values: list[str]) -> str:
    return f"{clause} {values[0]}" if len(values) == 1 else f"{clause} {test} {', '.join(values)}"
