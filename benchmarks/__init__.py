"""The speed targets' benchmarks: each measures Ordinance against a baseline taken in the same run.

Kept apart from `engine/` (which holds only what a city runs); `ordinance bench ...` calls these.
"""
