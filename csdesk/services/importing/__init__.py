"""Bringing customers in from other systems: readers per format, mapping, planning, applying."""

from csdesk.services.importing.plan import Plan, PlanItem, parse_map
from csdesk.services.importing.service import ImportResult, ImportService, UndoResult

__all__ = ["ImportResult", "ImportService", "Plan", "PlanItem", "UndoResult", "parse_map"]
