"""The rulebook: the application services around the pure rule core (`engine.rules`).

The published rules in the database (`store`), drafts and their checks, the impact of a
draft on real accounts (`impact`), and the catalog the running system reads (`catalog_source`).
These read and write the database; the core they call does not.
"""
