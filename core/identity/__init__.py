"""Users, org units, password hashing, tokens and API keys."""
