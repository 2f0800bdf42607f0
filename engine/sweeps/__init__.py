"""Nightly sweeps: apply the rules to every account and license, take the steps, mail the notices."""
