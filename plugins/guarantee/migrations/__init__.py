"""Alembic version folder of the ``guarantee`` plugin (branch label ``guarantee``)."""
