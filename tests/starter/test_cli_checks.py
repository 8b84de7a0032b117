"""Commands that refuse to start, with a message that says what to do, before touching anything."""

from typer.testing import CliRunner

from starter.cli import app


def test_up_without_respondio_secrets_starts_nothing(monkeypatch, tmp_path):
    monkeypatch.delenv("HANDOFF_RESPONDIO_TOKEN", raising=False)
    monkeypatch.delenv("HANDOFF_WEBHOOK_KEYS", raising=False)
    result = CliRunner().invoke(app, ["up", f"--data-dir={tmp_path / 'state'}"])
    assert result.exit_code == 2
    assert "HANDOFF_RESPONDIO_TOKEN and HANDOFF_WEBHOOK_KEYS" in result.output and "--sandbox" in result.output
    assert not (tmp_path / "state").exists()


def test_up_with_an_invalid_policy_starts_nothing(tmp_path):
    policy = tmp_path / "policy.yaml"
    policy.write_text("name: x\nsteps: [{wait: 15q}]\n")
    result = CliRunner().invoke(app, ["up", "--sandbox", f"--policy={policy}", f"--data-dir={tmp_path / 'state'}"])
    assert result.exit_code == 2 and "steps.0.wait" in result.output
    assert not (tmp_path / "state").exists()


def test_demo_refuses_a_folder_it_did_not_make(tmp_path):
    (tmp_path / "precious.txt").write_text("keep me")
    result = CliRunner().invoke(app, ["demo", f"--data-dir={tmp_path}"])
    assert result.exit_code == 1 and "precious.txt" in result.output
    assert (tmp_path / "precious.txt").read_text() == "keep me"


def test_worker_without_a_token_says_which_variable(monkeypatch):
    monkeypatch.delenv("HANDOFF_RESPONDIO_TOKEN", raising=False)
    result = CliRunner().invoke(app, ["worker"])
    assert result.exit_code == 2 and "HANDOFF_RESPONDIO_TOKEN" in result.output
