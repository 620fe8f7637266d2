"""Alembic migration scripts (script_location). See bot/db/migrate.py for how they are run."""
