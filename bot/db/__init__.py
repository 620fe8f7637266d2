"""Persistence: the engine, the schema and one repository module per aggregate."""
