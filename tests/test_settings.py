"""Settings: a missing respond.io token says how to fix it, a set one never shows, the roster's are read."""

from datetime import timedelta

import pytest
from pydantic import ValidationError

from worker.settings import Settings


def test_missing_token_says_which_variable_to_set(monkeypatch):
    monkeypatch.delenv("HANDOFF_RESPONDIO_TOKEN", raising=False)

    with pytest.raises(ValidationError, match="set HANDOFF_RESPONDIO_TOKEN"):
        Settings().respondio()


def test_blank_token_is_missing(monkeypatch):
    monkeypatch.setenv("HANDOFF_RESPONDIO_TOKEN", "  ")

    with pytest.raises(ValidationError, match="set HANDOFF_RESPONDIO_TOKEN"):
        Settings().respondio()


def test_reads_the_environment_and_masks_the_token(monkeypatch):
    monkeypatch.setenv("HANDOFF_RESPONDIO_TOKEN", "env-secret-81")
    monkeypatch.setenv("HANDOFF_RESPONDIO_BASE_URL", "http://127.0.0.1:8090/v2")

    settings = Settings()
    config = settings.respondio()

    assert config.token.get_secret_value() == "env-secret-81"
    assert (config.base_url, config.timeout) == ("http://127.0.0.1:8090/v2", 10)
    for shown in (repr(settings), str(settings.model_dump()), repr(config), str(config.model_dump())):
        assert "env-secret-81" not in shown


def test_the_roster_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("HANDOFF_INACTIVITY_TIMEOUT", "5m")
    monkeypatch.setenv("HANDOFF_ROSTER_SYNC_EVERY", "1m")
    monkeypatch.setenv("HANDOFF_ROSTER_RECONCILE_EVERY", "30m")

    config = Settings().roster()

    assert (config.inactivity_timeout, config.sync_every, config.reconcile_every) == (
        timedelta(minutes=5),
        timedelta(minutes=1),
        timedelta(minutes=30),
    )


def test_a_roster_interval_of_zero_is_refused(monkeypatch):
    monkeypatch.setenv("HANDOFF_ROSTER_RECONCILE_EVERY", "0s")

    with pytest.raises(ValidationError, match="reconcile_every"):
        Settings().roster()
