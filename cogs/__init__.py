"""One module per feature: option parsing, checks, calling services, replying."""
