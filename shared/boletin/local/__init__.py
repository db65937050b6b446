"""The local stack: template.yaml's system on one machine (`python -m boletin.local`, `make run`).

See `boletin.local.stack.LocalStack` for the reusable class (tests use it) and `__main__` for the
command.
"""

from boletin.local.stack import LocalStack

__all__ = ["LocalStack"]
