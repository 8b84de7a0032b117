"""Reading a policy file, with errors that name the field and the reason."""

from pathlib import Path

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from worker.settings import DEFAULT_POLICY as DEFAULT_POLICY  # re-exported: load_policy's default
from workflows.policy import WAIT_FORMS, Policy


class PolicyError(Exception):
    """A policy file that cannot be used; ``problems`` holds one line per error."""

    def __init__(self, path: Path, problems: list[str]):
        self.path = path
        self.problems = problems
        super().__init__(f"{path}: " + "; ".join(problems))


def load_policy(path: Path | str = DEFAULT_POLICY) -> Policy:
    """Read and validate a policy file; raise PolicyError listing every problem."""
    path = Path(path)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise PolicyError(path, [f"cannot read the file: {error.strerror or error}"]) from error
    except yaml.YAMLError as error:
        raise PolicyError(path, [f"not valid YAML: {error}"]) from error
    if not isinstance(document, dict):
        raise PolicyError(path, ["the file must hold a mapping with name: and steps:"])
    try:
        return Policy.model_validate(document)
    except ValidationError as error:
        raise PolicyError(path, [describe_error(item) for item in error.errors()]) from error


def describe_error(item: ErrorDetails) -> str:
    """One pydantic error as `field.path: message`: the path as the policy file spells it, without the form of wait
    pydantic names after ``wait`` (the file says ``wait: {for: 15m, calendar: eu}``, never ``business_time``)."""
    loc = item["loc"]
    path = [part for i, part in enumerate(loc) if not (i and loc[i - 1] == "wait" and part in WAIT_FORMS)]
    where = ".".join(str(part) for part in path) or "(top level)"
    message = item["msg"].removeprefix("Value error, ")
    return f"{where}: {message}"
