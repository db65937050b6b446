"""Builders of what each handler calls: once per process, from the settings (see boletin.built)."""
