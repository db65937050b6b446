"""Helpers the tests share: fakes, HTTP clients, the running stack. Import from here, never from a conftest or another test module."""
