"""Use cases and rules. No Qt here: the window and the command line both call these."""
