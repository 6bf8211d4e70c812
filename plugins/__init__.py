"""Built-in business plugins (each registered through the ``surety.plugins`` entry-point group)."""
