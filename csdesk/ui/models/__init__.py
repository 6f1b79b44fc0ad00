"""One lazy model per list view."""
