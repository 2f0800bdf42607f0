"""Utility accounts as the rules and workflows see them: an account's facts on a day."""
