"""Errors the core raises for bad input: each carries one line that names the problem."""


class NnvizError(ValueError):
    """Base class: a problem with something the user gave (a file, a field, a value)."""


class ModelError(NnvizError):
    """A model document, or an option in it, is invalid. The message names the field."""


class DataError(NnvizError):
    """A dataset, CSV file or array of inputs/targets is invalid."""
