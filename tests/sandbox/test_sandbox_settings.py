"""Settings from the environment, the seed fixture, and a start that cannot succeed."""

import json

import pytest
from pydantic import ValidationError

from sandbox.seed import load_seed
from sandbox.server import running_sandbox
from sandbox.settings import BUNDLED_SEED, SandboxSettings
from sandbox.store import Store


def test_settings_come_from_the_environment(monkeypatch):
    hooks = [{"event": "conversation.opened", "url": "http://127.0.0.1:8000/webhooks", "signing_key": "k1"}]
    monkeypatch.setenv("HANDOFF_SANDBOX_WEBHOOKS", json.dumps(hooks))
    monkeypatch.setenv("HANDOFF_SANDBOX_RATE_LIMIT", "0")
    monkeypatch.setenv("HANDOFF_SANDBOX_DB", ":memory:")
    settings = SandboxSettings()
    assert (settings.rate_limit, settings.db, settings.token) == (0, ":memory:", "sandbox-token")
    assert [(w.event, str(w.url), w.signing_key) for w in settings.webhooks] == [
        ("conversation.opened", "http://127.0.0.1:8000/webhooks", "k1")
    ]
    monkeypatch.setenv("HANDOFF_SANDBOX_WEBHOOKS", json.dumps([{**hooks[0], "event": "conversation.snoozed"}]))
    with pytest.raises(ValidationError, match="webhooks"):
        SandboxSettings()


def test_defaults():
    settings = SandboxSettings(_env_prefix="HANDOFF_SANDBOX_TEST_UNSET_")
    assert (settings.db, settings.rate_limit, settings.seed) == (".handoff/sandbox.db", 20, BUNDLED_SEED)
    assert (settings.retry_initial, settings.retry_max, settings.max_attempts) == (0.5, 30, 12)


def test_seeding_is_idempotent_and_keeps_presence():
    store = Store(":memory:")
    seed = load_seed(BUNDLED_SEED)
    store.seed(seed)
    with store.transaction():
        store.set_online(102, False)
    store.seed(seed)
    users = [(u["id"], u["email"], u["first_name"], u["last_name"], u["team_name"], u["role"]) for u in store.users()]
    assert users == [
        (101, "alice@example.com", "Alice", "Ng", "Tier 1", "agent"),
        (102, "bob@example.com", "Bob", "Okafor", "Tier 1", "agent"),
        (201, "carol@example.com", "Carol", "Diaz", "Tier 2", "agent"),
        (202, "dave@example.com", "Dave", "Kim", "Tier 2", "agent"),
        (203, "erin@example.com", "Erin", "Weber", "Tier 2", "agent"),
        (301, "sam@example.com", "Sam", "Patel", "Supervisors", "manager"),
    ]
    assert [u["id"] for u in store.users() if not u["online"]] == [102]
    assert dict(store.channel(1)) == {"id": 1, "name": "Sandbox WhatsApp", "source": "whatsapp"}
    store.close()


async def test_a_sandbox_that_cannot_start_says_so(tmp_path):
    settings = SandboxSettings(db=":memory:", port=0, seed=tmp_path / "missing.yaml")
    with pytest.raises(RuntimeError, match="could not start"):
        async with running_sandbox(settings):
            pass
