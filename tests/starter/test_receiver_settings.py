"""The receiver's settings and its command: keys from the environment, never shown, and required."""

import pytest
from typer.testing import CliRunner

from starter.cli import app
from starter.receiver import MissingWebhookKeys, create_receiver
from tests.starter.receiving import POLICY
from worker.settings import Settings


def test_keys_are_read_comma_separated_and_never_shown(monkeypatch):
    monkeypatch.setenv("HANDOFF_WEBHOOK_KEYS", " first-secret, second-secret ,")
    settings = Settings()
    assert [key.get_secret_value() for key in settings.webhook_keys] == ["first-secret", "second-secret"]
    assert "secret" not in repr(settings) and "secret" not in str(settings)


def test_a_receiver_without_keys_is_refused(monkeypatch):
    monkeypatch.delenv("HANDOFF_WEBHOOK_KEYS", raising=False)
    with pytest.raises(MissingWebhookKeys, match="set HANDOFF_WEBHOOK_KEYS"):
        create_receiver(Settings(), POLICY)


def test_the_command_exits_2_without_keys_or_with_a_broken_policy(monkeypatch, tmp_path):
    monkeypatch.delenv("HANDOFF_WEBHOOK_KEYS", raising=False)
    no_keys = CliRunner().invoke(app, ["receiver"])
    assert no_keys.exit_code == 2 and "HANDOFF_WEBHOOK_KEYS" in no_keys.output

    broken = tmp_path / "policy.yaml"
    broken.write_text("name: x\nsteps: []\n")
    monkeypatch.setenv("HANDOFF_POLICY", str(broken))
    monkeypatch.setenv("HANDOFF_WEBHOOK_KEYS", "a-key")
    bad_policy = CliRunner().invoke(app, ["receiver"])
    assert bad_policy.exit_code == 2 and "steps" in bad_policy.output


@pytest.mark.parametrize(("value", "expected"), [("", None), ("   ", None), ("t0ken", "t0ken")])
def test_a_blank_api_token_turns_the_presence_endpoint_off(monkeypatch, value, expected):
    monkeypatch.setenv("HANDOFF_API_TOKEN", value)
    token = Settings().api_token
    assert (token.get_secret_value() if token else None) == expected
