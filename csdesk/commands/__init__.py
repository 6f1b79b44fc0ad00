"""Headless sub-commands of `csdesk`, one module per area. cli.py registers them."""
