"""Errors the core raises for bad input: each carries one line that names the problem."""


class NnvizError(ValueError):
    """Base class: a problem with something the user gave (a file, a field, a value)."""


class ModelError(NnvizError):
    """A model document, or an option in it, is invalid. The message names the field."""


class DataError(NnvizError):
    """A dataset, CSV file or array of inputs/targets is invalid."""


class CommandError(NnvizError):
    """A command to a running experiment (a step count, an index, a value) is invalid."""


class LimitError(NnvizError):
    """Something is larger than nnviz takes (rows, parameters, a file, steps); the message names the
    limit (see docs/model-format.md, "Limits")."""


#: the most optimizer steps one command or run takes (a stated maximum: a day of the fastest model)
MAX_STEPS = 10**9
