"""The field crews' daily lists (engine.field.lists)."""
