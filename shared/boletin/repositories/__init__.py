"""Data access: the only modules that talk to AWS (through injectable, lazily created clients)."""
