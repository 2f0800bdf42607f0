"""The sample city of Alder Creek: a believable, deterministic city to try Ordinance on.

`load_demo` (in `loader`) fills an empty database with customers, properties, utility
accounts with a year of reads, bills and payments, businesses with licenses, and a
handful of open cases. The same seed and as-of date always give the same city.
"""
