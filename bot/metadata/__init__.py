"""Open Library and Google Books clients, normalisation into Book, rate limiting."""
