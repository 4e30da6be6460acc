"""The fupin OWL ontology and SHACL shapes, shipped as package data.

``ONTOLOGY`` and ``SHAPES`` are :class:`importlib.resources.abc.Traversable`
paths to ``fupin.ttl`` and ``shapes.ttl``.
"""
from importlib.resources import files

ONTOLOGY = files(__name__) / "fupin.ttl"
SHAPES = files(__name__) / "shapes.ttl"
