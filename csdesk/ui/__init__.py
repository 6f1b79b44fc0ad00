"""The Qt face of csdesk. Only this package imports PySide6; it calls services, never store."""
