"""Ordinance's delivery layer: the Flask web UI, the JSON API and the command line."""
