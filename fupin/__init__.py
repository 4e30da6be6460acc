"""fupin: poverty-alleviation reports (脱贫攻坚工作综述) as linked open data.

Import layout (see ``docs/design.md``): ``fupin.graph`` (the builder, from
``graph/``), ``fupin.server`` (the Flask app, from ``server/``),
``fupin.ontology`` (the OWL ontology and SHACL shapes, from ``ontology/``),
``fupin.config`` (settings) and ``fupin.cli`` (the ``fupin`` command).
"""
__version__ = "0.1.0"
