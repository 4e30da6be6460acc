"""The ``fupin`` command: a thin layer over plain functions.

Exit codes: 0 ok, 1 invalid input (a report explains), 2 usage error (click).
"""
from __future__ import annotations

import click

from . import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="fupin")
def main() -> None:
    """fupin: poverty-alleviation reports as linked open data.

    \b
    fupin build      fact sheets -> validated RDF in data/build/
    fupin validate   every check, writes nothing
    fupin export     one format to a file or stdout
    fupin stats      counts by class and by measure
    fupin serve      SPARQL endpoint and linked-data pages
    """


def _register() -> None:
    try:
        from fupin.server.cli import serve
    except ImportError:  # the server is optional while it is being built
        return
    main.add_command(serve)


_register()
