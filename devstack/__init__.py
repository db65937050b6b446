"""The local stack: template.yaml's system on one machine (`python -m devstack`, `make run`).

See `devstack.stack.DevStack` for the reusable class (tests use it) and `__main__` for the
command.
"""

from devstack.stack import DevStack

__all__ = ["DevStack"]
