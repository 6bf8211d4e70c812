"""Alembic version folder of the ``customers`` plugin (branch label ``customers``)."""
