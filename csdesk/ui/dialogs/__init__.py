"""One module per dialog, each with a classmethod `ask(parent, ...) -> result | None`."""
