"""Boletín: the shared code of every function (the Lambda layer's package)."""
