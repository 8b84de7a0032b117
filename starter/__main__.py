"""``python -m starter`` runs the ``handoff`` command (how ``handoff up`` starts its children)."""

from starter.cli import main

if __name__ == "__main__":
    main()
