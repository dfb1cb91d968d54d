"""Persistence: SQLAlchemy 2 models, engines, repositories and Alembic migrations per node."""
