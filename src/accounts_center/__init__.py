"""Accounts Center: a hub that links a person's accounts across a family of apps."""

__version__ = "0.1.0"
