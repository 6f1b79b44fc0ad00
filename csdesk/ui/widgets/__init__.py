"""Reusable pieces of the main window."""
