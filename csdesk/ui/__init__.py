"""The Qt face: windows, widgets, dialogs and printing. Only this floor imports PySide6."""
