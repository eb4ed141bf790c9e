"""Data files shipped with nnviz, installed as the package ``nnviz.resources`` (see pyproject.toml):
``examples/`` holds the example and lesson model documents (read with :mod:`nnviz.core.examples`)."""
