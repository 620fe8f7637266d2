"""Use cases. Services call repositories and domain rules; they never import discord."""
