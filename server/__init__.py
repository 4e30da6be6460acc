"""fupin.server: the Flask app serving the built graph."""
