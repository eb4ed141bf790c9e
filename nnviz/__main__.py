"""``python -m nnviz``: the ``nnviz`` command.

:func:`run` imports the command line only when called, so that a Ctrl+C during the imports (a few
tenths of a second: NumPy, the engine) exits with status 130 and one line, not a traceback. It is the
entry point an installed ``nnviz`` script should name (``nnviz.__main__:run``): a script naming
``nnviz.cli:main`` imports the engine before any of nnviz's code can catch the interrupt.
"""

import sys

EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it


def run() -> int:
    """Import and run the ``nnviz`` command; Ctrl+C while importing exits 130 with one line."""
    try:
        from nnviz.cli import main
    except KeyboardInterrupt:
        print("nnviz: interrupted; nothing was written", file=sys.stderr)
        return EXIT_INTERRUPTED
    return main()


if __name__ == "__main__":  # not when a training process starts: it imports this module too
    import multiprocessing

    multiprocessing.freeze_support()  # a frozen bundle starting its training process runs that instead
    sys.exit(run())
