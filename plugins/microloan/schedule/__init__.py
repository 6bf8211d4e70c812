"""Repayment schedules: pure functions of the loan's terms, no database (docs/microloan-schedules.md).

``daycount``: due dates (the month-end rule) and day counts; ``builder``: the five methods, rounding and the totals.
"""
