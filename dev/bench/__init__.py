"""The benchmark: Handoff's whole stack against the sandbox inbox, beside the bare Temporal flow on the same
kind of server. ``handoff bench`` (``bench.commands``) runs it; ``bench.run`` is the whole measurement."""
