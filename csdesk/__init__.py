"""csdesk: a desktop point-of-service assistant."""

__version__ = "0.1.0"
