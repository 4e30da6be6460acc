"""fupin.graph: fact sheets in, validated RDF out (never imports Flask)."""
