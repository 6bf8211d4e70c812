"""PLACEHOLDER (being written)."""


def run_reminders(session, business_date) -> None:
    return None
