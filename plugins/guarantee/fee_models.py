"""Tables of this area of the ``guarantee`` plugin (see models.py for the conventions)."""
