"""Typed models shared by handlers, services and repositories."""
