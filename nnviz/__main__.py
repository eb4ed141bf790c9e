"""``python -m nnviz``: the ``nnviz`` command."""

import multiprocessing
import sys

from nnviz.cli import main

if __name__ == "__main__":  # not when a training process starts: it imports this module too
    multiprocessing.freeze_support()  # a frozen bundle starting its training process runs that instead
    sys.exit(main())
