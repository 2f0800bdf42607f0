"""Ordinance's domain core: rule documents, ledger, workflows, sweeps and notices.

Nothing in this package imports Flask or reads the clock; time comes in as an argument.
"""
