"""The rulebook: the application services around the pure rule core (`engine.rules`).

The published rules in the database (`store` writes, `revisions` reads), drafts and the one
check of their text (`drafting`), who may publish (`approval`), the impact of a draft on
real accounts (`impact`), and the catalog the running system reads (`catalog_source`).
These read and write the database; the core they call does not.
"""
