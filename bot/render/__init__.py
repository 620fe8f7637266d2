"""Domain objects → what Discord shows: embeds, views, charts."""
