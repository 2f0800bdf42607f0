"""Persistence: SQLAlchemy 2 typed models, the database engine and sessions."""
