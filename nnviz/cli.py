"""The ``nnviz`` command line.

Usage::

    nnviz [-V | --version]              launch the desktop app
    nnviz MODEL                         launch the desktop app on a model (as desktop launchers do)
    nnviz open MODEL                    the same
    nnviz train MODEL [--data DATA] [--target COL ...] [--noise X] [--test-fraction F] [--scaling M]
                      [--steps N | --epochs E] [--batch-size B] [--seed S] [--no-shuffle] --out DIR
    nnviz trace MODEL [--data DATA] [--target COL ...] [--noise X] [--test-fraction F] [--scaling M]
                      [--batch-size B] [--seed S] [--no-shuffle] --out FILE
    nnviz export MODEL [data and training options] [--steps N] --plot PLOT --out FILE
                      [--width PX | --scale S] [--transparent] [--no-title] [--fps F] [--frames K]
    nnviz code MODEL [data and training options] [--steps N] [--device D] --out FILE

MODEL is a model file (``.json`` or ``.toml``), the weights of a PyTorch ``nn.Sequential`` MLP
(``.safetensors``, with its architecture in ``<file>.json`` beside it, else read from the shapes with
a note on stderr saying what was assumed; see :mod:`nnviz.core.torch_import`), or the name of an
example that ships with nnviz (``circle``, ``two-two-one``, ... : the stems of
``resources/examples/``; see :mod:`nnviz.core.examples`), from any folder; a file of that name in the
current folder wins. PyTorch pickles (``.pt``, ``.pth``, ``.bin``, ``.ckpt``) are refused (exit 2):
loading one can run any code it holds. The first
word after the options is a command when it is one (``open``, ``train``, ``trace``, ``export``), else
a MODEL to open: to open a file named like a command, write ``nnviz ./train`` or ``nnviz open train``.

Data (``train`` and ``trace``): ``--data`` is a built-in dataset name or a CSV file with a header row
(targets chosen with ``--target COL``, repeatable, default the last column). Without ``--data`` the
model document's ``"data"`` entry is used. ``--seed`` (default: the model's ``seed``) seeds the row
order, dropout, the points of a built-in named by ``--data`` and the test split; a ``"data"`` entry
keeps its own ``seed``. ``--test-fraction`` (default 0, or the ``"data"`` entry's ``test_fraction``)
holds out that share of the rows, chosen at random, as a test set; training uses the rest. A truth
table, or data of fewer than 10 rows, is never split: it trains and is evaluated on every row. Batches
default to the whole training set (full-batch gradient descent), shuffled every epoch; when the rows
come from the ``"data"`` entry, its ``batch_size`` and ``shuffle`` are the defaults instead. With
cross-entropy, a single target column of whole numbers holds class indices. A loss that cannot fit the
targets (``bce`` or ``focal`` on targets outside [0, 1]; ``cross_entropy`` on targets that are not
class indices below the output width, nor one-hot rows) is refused with exit status 2, before
anything is written. The built-in ``digits`` (real data, 1,797 rows) holds out 0.2 of them unless
``--test-fraction`` says otherwise. ``--scaling`` (``none``, ``minmax``: to [0, 1], ``standard``: mean 0
and std 1; default the ``"data"`` entry's, else none, ``digits``: minmax) scales the inputs with
numbers taken from the training rows only; the model written keeps them.

``train`` takes ``--steps`` optimizer steps (default 1000), or as many as ``--epochs`` passes over the
training rows need, continuing from any training state saved in MODEL. It writes ``DIR/model.json``
(with the training state, so training can resume from it) and ``DIR/metrics.csv`` (one row per step:
``step,epoch,lr,loss,grad_norm``, where ``loss`` is the batch loss before the update, ``step`` counts
all steps the model has taken, and ``grad_norm`` is empty for the perceptron rule). With a test set it
adds ``test_loss``, the data loss on the test rows after the step, filled in at every step that
completes an epoch and at the last step, empty elsewhere. ``DIR`` is created, with its parents, if
missing. ``trace`` takes one step and writes its forward/backward trace (``nnviz.trace/1``) as JSON,
to FILE or, with ``--out -``, to standard output (the perceptron rule's ``grad_norm``, which it does
not have, is written as null; any other NaN or infinity is an error).

``export`` trains ``--steps`` steps (default 0: the model as it is) and renders one of the app's
panels — ``loss``, ``output`` (decision surface, fitted curve or confusion matrix), ``graph``,
``activations``, ``gradients``, ``updates``, ``weights`` — to FILE: ``.png`` (``--scale`` 1, 2 or 4, or
``--width`` pixels; ``--transparent`` background), ``.svg``, ``.pdf``, ``.csv`` (the numbers drawn), or
an animation of the training, ``.gif`` (or ``.mp4`` with imageio-ffmpeg), ``--frames`` frames at
``--fps``. ``--plot report`` writes the run report, ``.html`` (figures embedded) or ``.pdf``. It runs on
Qt's offscreen platform (nnviz sets ``QT_QPA_PLATFORM=offscreen`` itself): no display is needed. Here
batches default to the app's: the ``"data"`` entry's ``batch_size``, else the whole training set.

``code`` writes a PyTorch training script (FILE ending in ``.py``) or a Jupyter notebook (``.ipynb``)
that goes on from MODEL's state with the same data, batches and dropout masks as ``train``: its
``python FILE --steps N --metrics M`` writes the rows ``train`` writes to ``metrics.csv`` for the same
arguments, losses equal to rounding (on the CPU, in float64). ``--steps`` (default 1000) is the script's
own default, ``--device`` (cpu, cuda or mps; default cpu) where it trains. Data of more than 2,000 rows
go to CSV files beside FILE, and large state to an ``.npz`` file; all are written, or none.

``--steps`` and ``--epochs`` take at most :data:`~nnviz.core.errors.MAX_STEPS` (10⁹) steps; ``--scale``
is a number from 0.25 to 8; an animation has at most 5,000 ``--frames``.

Every file is written atomically (see :mod:`nnviz.core.writing`): ``train`` writes both files or
neither, and never removes a file it has not replaced.

Exit status: 0 success; 1 the command ran but failed (training diverged, an output could not be
written, an unexpected error); 2 bad input (arguments, model file, data); 130 interrupted (Ctrl-C),
143 terminated (SIGTERM). Every failure prints one line ``nnviz: error: ...`` to standard error and
leaves no output files behind; an interruption says what it had written, if anything.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import multiprocessing
import os
import shlex
import signal
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from nnviz import __version__
from nnviz.core.codegen import DEVICES, SUFFIXES, run_of, write_torch_code
from nnviz.core.data import WidthMismatch
from nnviz.core.dataconfig import DataConfig, data_config_for
from nnviz.core.datasets import DATASETS, find_dataset, load_data
from nnviz.core.document import dumps, load_model, read_document
from nnviz.core.errors import MAX_STEPS, LimitError, NnvizError
from nnviz.core.experiment import Experiment
from nnviz.core.network import Network
from nnviz.core.scaling import SCALINGS
from nnviz.core.trainer import Trainer
from nnviz.core.writing import WriteError, atomic_write_files, atomic_write_text, recording_commits
from nnviz.gui.formats import ANIMATION_FORMATS, FIGURE_FORMATS, REPORT_FORMATS, suffix_list
from nnviz.gui.panels.registry import plot_choices  # Qt-free: the choices cost no Qt start

PROG = "nnviz"
DEFAULT_STEPS = 1000
METRICS_COLUMNS = ("step", "epoch", "lr", "loss", "grad_norm")
MODEL_FILE, METRICS_FILE = "model.json", "metrics.csv"
PROGRESS_INTERVAL = 0.1  # seconds between progress-bar refreshes (at most ~10 per second)
#: ``--scale`` of a PNG or an animation: a quarter of the panel's size on screen (still legible) up
#: to 8 times (an 800 x 500 panel becomes 6400 x 4000 pixels)
MIN_SCALE, MAX_SCALE = 0.25, 8.0

COMMANDS = ("open", "train", "trace", "export", "code")
MODEL_HELP = ("model file (.json or .toml, or PyTorch weights: .safetensors), or the name of a shipped example such "
              "as circle")

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143  # 128 + the signal's number, as shells report it


# -- errors ----------------------------------------------------------------------------------------
class CliError(Exception):
    """A failure to report as one line, with the exit status to return."""

    status = EXIT_FAILURE


class UsageError(CliError):
    """Bad arguments or input (exit status 2)."""

    status = EXIT_USAGE


class Terminated(BaseException):
    """SIGTERM arrived while a command ran: it unwinds like Ctrl-C's KeyboardInterrupt, so that
    nothing half-done is left."""


class _Exit(Exception):
    """argparse asked to exit (after ``--help``) with this status."""

    def __init__(self, status: int):
        super().__init__(status)
        self.status = status


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser that raises instead of printing usage and calling ``sys.exit``."""

    def error(self, message):
        raise UsageError(f"{message} (see '{self.prog} --help')")

    def exit(self, status=0, message=None):
        if message:
            sys.stderr.write(message)
        raise _Exit(status)


# -- argument types --------------------------------------------------------------------------------
def _shown(text: str) -> str:
    """An argument as an error quotes it: at most 40 characters."""
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _whole(minimum: int, maximum: int | None = None, unit: str = ""):
    """An argparse type: a whole number >= ``minimum`` and, if given, <= ``maximum`` (nnviz's limit
    on ``unit``)."""
    def parse(text: str) -> int:
        digits = text.strip().lstrip("+")
        if maximum is not None and digits.isdigit() and len(digits.lstrip("0")) > len(str(maximum)):
            value = maximum + 1  # too long for int() to be worth it (or allowed: over 4300 digits)
        else:
            try:
                value = int(text)
            except ValueError:
                value = None
        if value is None or value < minimum:
            raise argparse.ArgumentTypeError(f"expected a whole number >= {minimum}, got {_shown(text)}")
        if maximum is not None and value > maximum:
            raise argparse.ArgumentTypeError(f"at most {maximum:,} {unit} (nnviz's limit), got {_shown(text)}")
        return value
    return parse


def _scale(text: str) -> float:
    """An argparse type: a scale from :data:`MIN_SCALE` to :data:`MAX_SCALE`."""
    value = _finite(text)
    if not MIN_SCALE <= value <= MAX_SCALE:
        raise argparse.ArgumentTypeError(f"expected a number from {MIN_SCALE:g} to {MAX_SCALE:g} (times the "
                                         f"panel's size on screen), got {_shown(text)}")
    return value


def _fraction(text: str) -> float:
    """An argparse type: a number in [0, 1)."""
    value = _finite(text)
    if not 0.0 <= value < 1.0:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1), got {_shown(text)}")
    return value


def _positive(text: str) -> float:
    value = _finite(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {_shown(text)}")
    return value


def _nonnegative(text: str) -> float:
    """An argparse type: a finite number >= 0."""
    value = _finite(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {_shown(text)}")
    return value


def _finite(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {_shown(text)}")
    return value


# -- the parser ------------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``nnviz`` command and its subcommands."""
    parser = _Parser(prog=PROG, usage=f"{PROG} [-h] [-V] [--threaded] [MODEL | COMMAND ...]",
                     description="See a neural network learn. Without a command, launches the desktop app "
                                 "(on MODEL, a model file or the name of a shipped example, if given).")
    parser.add_argument("-V", "--version", action="store_true", help="print the version and exit")
    parser.add_argument("--threaded", action="store_true",
                        help="the desktop app trains on a thread of its own process rather than in a "
                             "training process of its own (slower while it draws)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", prog=PROG)

    opener = commands.add_parser("open", help="launch the desktop app on a model file",
                                 description="Launch the desktop app on a model file.")
    opener.add_argument("model", metavar="MODEL", help=MODEL_HELP)

    train = commands.add_parser(
        "train", help="train a model from the command line",
        description="Train a model and write DIR/model.json (with its training state) and "
                    "DIR/metrics.csv (one row per step).")
    _add_common_arguments(train)
    length = train.add_mutually_exclusive_group()
    length.add_argument("--steps", type=_whole(1, MAX_STEPS, "steps"), metavar="N",
                        help=f"optimizer steps to take (default {DEFAULT_STEPS}, at most {MAX_STEPS:,})")
    length.add_argument("--epochs", type=_whole(1, MAX_STEPS, "epochs"), metavar="E",
                        help="train for E passes over the training rows instead")
    train.add_argument("--out", required=True, metavar="DIR",
                       help="output folder, created with its parents if missing")

    trace = commands.add_parser(
        "trace", help="write the forward/backward trace of one training step as JSON",
        description="Take one training step (as 'nnviz train' would) and write every number of it "
                    "as JSON (format nnviz.trace/1).")
    _add_common_arguments(trace)
    trace.add_argument("--out", required=True, metavar="FILE", help="output JSON file, or - for stdout")

    export = commands.add_parser(
        "export", help="train (if asked) and export a figure, its numbers, an animation or a report",
        description="Render one of the app's panels offscreen, after --steps optimizer steps, to PNG, "
                    "SVG, PDF, CSV (the numbers drawn) or an animated GIF/MP4 of the training; or "
                    "write the run report (HTML or PDF). No display needed.")
    _add_common_arguments(export)
    export.add_argument("--steps", type=_whole(0, MAX_STEPS, "steps"), default=0, metavar="N",
                        help="optimizer steps to take first (default 0: the model as it is)")
    plots = plot_choices()
    export.add_argument("--plot", required=True, choices=plots, metavar="PLOT",
                        help=f"what to draw: {', '.join(plots)}")
    export.add_argument("--out", required=True, metavar="FILE",
                        help=f"output file: {suffix_list(FIGURE_FORMATS)} {suffix_list(ANIMATION_FORMATS)} "
                             f"(report: {suffix_list(REPORT_FORMATS)})")
    size = export.add_mutually_exclusive_group()
    size.add_argument("--scale", type=_scale, default=2.0, metavar="S",
                      help=f"PNG and animation scale: {MIN_SCALE:g} to {MAX_SCALE:g} times the panel's size, "
                           "such as 1, 2 or 4 (default 2)")
    size.add_argument("--width", type=_whole(16), metavar="PX", help="PNG width in pixels")
    export.add_argument("--transparent", action="store_true", help="PNG with a transparent background")
    export.add_argument("--no-title", action="store_true", help="leave out the title naming the model")
    export.add_argument("--fps", type=_positive, default=10.0, metavar="F",
                        help="animation frame rate (default 10)")
    export.add_argument("--frames", type=_whole(2), default=40, metavar="K",
                        help="animation frames, spread evenly over the steps (default 40)")

    code = commands.add_parser(
        "code", help="write a PyTorch training script (or notebook) that goes on from the model's state",
        description="Write a self-contained PyTorch script (.py) or Jupyter notebook (.ipynb) that trains the "
                    "model from where it stands, on the same data in the same batch order as 'nnviz train': "
                    "'python FILE --steps N --metrics M' writes the rows 'nnviz train' writes to metrics.csv.")
    _add_common_arguments(code)
    code.add_argument("--steps", type=_whole(0, MAX_STEPS, "steps"), default=DEFAULT_STEPS, metavar="N",
                      help=f"the steps the script takes unless told (default {DEFAULT_STEPS})")
    code.add_argument("--device", choices=DEVICES, default="cpu",
                      help="where the script trains unless told: cpu, cuda or mps (default cpu)")
    code.add_argument("--out", required=True, metavar="FILE",
                      help=f"output file: {' or '.join(SUFFIXES)} (a script or a notebook)")
    return parser


def _add_common_arguments(parser: argparse.ArgumentParser) -> None:
    """The model, data and trainer options that ``train`` and ``trace`` share."""
    parser.add_argument("model", metavar="MODEL", help=MODEL_HELP)
    data = parser.add_argument_group("data")
    data.add_argument("--data", metavar="DATA",
                      help=f"a CSV file with a header row, or a built-in dataset: {', '.join(DATASETS)} "
                           "(default: the model's \"data\" entry)")
    data.add_argument("--target", action="append", metavar="COL",
                      help="target column of the CSV file; repeat for several (default: the last column)")
    data.add_argument("--noise", type=_nonnegative, metavar="X",
                      help="noise of a built-in dataset (default 0, or the model's \"data\" entry)")
    data.add_argument("--test-fraction", type=_fraction, metavar="F",
                      help="share of the rows held out as a test set (default 0, or the model's "
                           "\"data\" entry; digits: 0.2)")
    data.add_argument("--scaling", choices=tuple(SCALINGS), metavar="METHOD",
                      help="input scaling, its numbers from the training rows: none, minmax (to [0, 1]) or "
                           "standard (mean 0, std 1) (default: the model's \"data\" entry, else none; "
                           "digits: minmax)")
    run = parser.add_argument_group("training")
    run.add_argument("--batch-size", type=_whole(1), metavar="B",
                     help="rows per step (default: the model's \"data\" entry's batch_size, else all "
                          "of them, full-batch gradient descent)")
    run.add_argument("--seed", type=_whole(0), metavar="S",
                     help="seed of the row order, dropout, built-in data and test split "
                          "(default: the model's seed)")
    run.add_argument("--no-shuffle", action="store_true",
                     help="take the rows in file order instead of shuffling them every epoch")


# -- main ------------------------------------------------------------------------------------------
def main(argv=None) -> int:
    """Run the ``nnviz`` command with ``argv`` (default ``sys.argv[1:]``); returns the exit status."""
    multiprocessing.freeze_support()  # in a frozen bundle, the app's training process starts here
    written: list[Path] = []  # by the command, as it goes
    try:
        return _dispatch(argv, written)
    except _Exit as exc:
        return exc.status
    except CliError as exc:
        return _fail(str(exc), exc.status)
    except WriteError as exc:  # the input was fine: an output could not be written
        return _fail(str(exc), EXIT_FAILURE)
    except NnvizError as exc:
        return _fail(str(exc), EXIT_USAGE)
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        return _fail(f"{where}{exc.strerror or exc}", EXIT_FAILURE)
    except (KeyboardInterrupt, Terminated) as exc:
        # a signal that came while the files were being renamed waits until they all are: then
        # they are written, and the line says so
        interrupted = isinstance(exc, KeyboardInterrupt)
        done = f"wrote {' and '.join(str(p) for p in written)}" if written else "nothing was written"
        print(f"{PROG}: {'interrupted' if interrupted else 'terminated'}; {done}", file=sys.stderr)
        return EXIT_INTERRUPTED if interrupted else EXIT_TERMINATED
    except Exception as exc:  # noqa: BLE001 - the last resort: one line, never a traceback
        if os.environ.get("NNVIZ_DEBUG"):
            raise
        return _fail(f"unexpected {type(exc).__name__}: {exc} (please report this bug; set NNVIZ_DEBUG=1 "
                     f"for a traceback)", EXIT_FAILURE)


@contextlib.contextmanager
def _sigterm_unwinds():
    """While a command runs (in the main thread), SIGTERM raises :class:`Terminated` instead of
    ending the process at once, so the command cleans up and says what it wrote; the previous
    handler comes back afterwards. Not for the desktop app, which handles its own signals."""
    previous = signal.getsignal(signal.SIGTERM)
    if threading.current_thread() is not threading.main_thread() or previous in (None, signal.SIG_IGN):
        yield
        return

    def on_sigterm(signum, frame):
        raise Terminated

    signal.signal(signal.SIGTERM, on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _fail(message: str, status: int) -> int:
    """Print ``nnviz: error: message`` as one line on stderr and return ``status``."""
    print(f"{PROG}: error: {' '.join(message.splitlines())}", file=sys.stderr)
    return status


def _dispatch(argv, written: list[Path]) -> int:
    parser = build_parser()
    args = parser.parse_args(with_open_command(sys.argv[1:] if argv is None else [str(a) for a in argv]))
    if args.version:
        print(f"{PROG} {__version__}")
        return EXIT_OK
    commands = {"train": command_train, "trace": command_trace, "export": command_export, "code": command_code}
    if args.command in commands:
        args.command_line = shlex.join([PROG, *(sys.argv[1:] if argv is None else [str(a) for a in argv])])
        args.model, _ = resolve_model(args.model)
        with _sigterm_unwinds(), recording_commits(written):
            return commands[args.command](args)
    if args.command == "open":
        path, example = resolve_model(args.model)
        if example is not None:
            return launch_gui(example=example, threaded=args.threaded)
        model = Path(path)
        if not model.is_file():
            raise UsageError(f"{model}: no such file" if not model.exists() else f"{model}: not a file")
        return launch_gui(str(model), threaded=args.threaded)
    return launch_gui(threaded=args.threaded)


def with_open_command(argv: list[str]) -> list[str]:
    """``argv`` with ``open`` put before its first positional argument when that is not a command:
    ``nnviz FILE`` (as desktop launchers call it) is ``nnviz open FILE``. A command name is always
    the command (``nnviz ./train`` opens a file named ``train``); the options before it (``-V``,
    ``--threaded``, ``-h``) take no value, so the first word not starting with ``-`` is the one."""
    for i, word in enumerate(argv):
        if word == "--":  # everything after it is positional: ``nnviz -- -odd-name.json``
            rest = argv[i + 1:]
            if rest and rest[0] not in COMMANDS:
                return argv[:i] + ["open", "--"] + rest
            return argv
        if not word.startswith("-") or word == "-":
            return argv if word in COMMANDS else argv[:i] + ["open"] + argv[i:]
    return argv


def resolve_model(text: str) -> tuple[str, str | None]:
    """MODEL as given: ``(path, None)`` for a file path (an existing file wins over an example of the
    same name), ``(path of the example, key)`` for the name of a shipped example. A name that is
    neither, with no suffix and no folder, is refused with the examples' names; anything else is
    left for the command to report (``no such file``)."""
    if Path(text).is_file():
        return text, None
    from nnviz.core import examples

    files = examples.example_files()
    if text in files:
        return str(files[text]), text
    if not Path(text).suffix and os.sep not in text and "/" not in text:
        import difflib

        close = difflib.get_close_matches(text, [*COMMANDS, *files], n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise UsageError(f"{text}: no such file, nor a command or a shipped example ({hint}commands: "
                         f"{', '.join(COMMANDS)}; examples: {', '.join(files)})")
    return text, None


# -- the desktop app -------------------------------------------------------------------------------
def launch_gui(model: str | None = None, threaded: bool = False, example: str | None = None) -> int:
    """Run the desktop app (``nnviz.gui.launch.main``), on the file ``model`` or the shipped example
    ``example`` if given; ``threaded``: training on a thread of the app's process."""
    try:
        from nnviz.gui.launch import main as gui_main
        from nnviz.gui.session import TrainingSession
    except ImportError as exc:  # PySide6 or another dependency of the app is missing
        raise CliError(f"the desktop app cannot start: {exc} (is PySide6 installed?)") from None
    TrainingSession.threaded_by_default = threaded
    if example is not None:
        status = gui_main(example=example)
    else:
        status = gui_main() if model is None else gui_main(model)
    return status if isinstance(status, int) else EXIT_OK


# -- data: the app's Experiment --------------------------------------------------------------------
def experiment_for(args, fit_model: bool) -> Experiment:
    """The app's :class:`~nnviz.core.experiment.Experiment` for MODEL and the data options, with the
    model's trained state. ``train`` and ``trace`` keep the model as it is (data that do not fit it
    are an error); ``export`` fits its widths to the data, as the app does. Every command refuses a
    loss that cannot fit the targets (one line naming both), before anything is written."""
    notes: list[str] = []
    net = load_model(args.model, notes)  # errors name the file
    for note in notes:  # what importing a PyTorch model had to assume
        print(f"{PROG}: note: {note}", file=sys.stderr)
    data = data_config(args, net)
    try:
        return Experiment(read_document(args.model), data, fit_model=fit_model, fit_loss=False)
    except WidthMismatch as exc:
        if args.data is not None and data.imported is not None:
            raise WidthMismatch(f"{exc}; choose the target columns with --target") from None
        raise


def data_config(args, net: Network) -> DataConfig:
    """The data ``--data`` names (a built-in or a CSV file), else the model's ``"data"`` entry (a CSV
    file in it relative to the model file), with the options applied. Batches default to the whole
    training set, or to the entry's ``batch_size`` when the rows come from it."""
    seed = net.seed if args.seed is None else args.seed
    base = DataConfig(batch_size=None, seed=seed, test_fraction=args.test_fraction or 0.0, order_seed=args.seed)
    if args.data is not None:
        spec = find_dataset(args.data)
        if spec is not None:
            if args.target:
                raise UsageError(f"--target picks columns of a CSV file, not of the built-in dataset {spec.name!r}")
            data = replace(base, dataset=spec.name, noise=args.noise or 0.0)
            if spec.fixed and args.test_fraction is None:  # real data: judged on rows held out
                data = replace(data, test_fraction=spec.default_test_share)
        else:
            _reject_noise(args, "a CSV file")
            rows = load_data(args.data, targets=args.target)
            data = replace(base, dataset=rows.name, imported=rows)
    else:
        if args.target:
            raise UsageError("--target picks columns of a CSV file given with --data")
        data = data_config_for(net, base, folder=Path(args.model).parent)
        if data is None:
            raise UsageError(f"no data: give --data (a CSV file or one of {', '.join(DATASETS)}); the model "
                             f"has no \"data\" entry")
        if data.imported is not None:
            _reject_noise(args, "the model's own data" if data.inline else "a CSV file")
        if args.test_fraction is not None:
            data = replace(data, test_fraction=args.test_fraction)
        if args.noise is not None:
            data = replace(data, noise=args.noise)
    if args.batch_size is not None:
        data = replace(data, batch_size=args.batch_size)
    if args.no_shuffle:
        data = replace(data, shuffle=False)
    if args.scaling is not None and args.scaling != data.scaling_method:
        data = replace(data, scaling=args.scaling, scaling_stats=None)  # the training rows' numbers
    return data


def _reject_noise(args, what: str) -> None:
    if args.noise is not None:
        raise UsageError(f"--noise applies to built-in datasets only, not to {what}")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


# -- train -----------------------------------------------------------------------------------------
class Diverged(CliError):
    """The loss or the parameters became NaN or infinite."""


def command_train(args) -> int:
    """``nnviz train``: train, then write the model and the metrics (both or neither)."""
    out = Path(args.out)
    check_output_folder(out)
    experiment = experiment_for(args, fit_model=False)
    trainer = experiment.trainer
    steps = args.steps or (_steps_for_epochs(trainer, args.epochs) if args.epochs else DEFAULT_STEPS)
    if steps > MAX_STEPS:
        raise LimitError(f"--epochs {args.epochs}: {steps:,} steps ({_count(trainer.n, 'row')} in batches of "
                         f"{trainer.batch_size or trainer.n}); nnviz takes at most {MAX_STEPS:,} steps")
    test_losses = run_training(experiment, steps)
    paths = [out / name for name in (MODEL_FILE, METRICS_FILE)]
    line = summary(experiment, steps, paths)
    files = {METRICS_FILE: metrics_csv(trainer.history, test_losses), MODEL_FILE: dumps(trained_model(experiment, out))}
    write_files(out, files)
    print(line)
    return EXIT_OK


def trained_model(experiment: Experiment, folder: Path) -> dict:
    """The trained model document to write in ``folder``, its ``data`` entry naming what it trained on
    (a CSV file relative to ``folder``, with its columns)."""
    doc = experiment.net.to_dict(state=True)
    meta = experiment.data_entry(folder)
    if meta is None:
        doc.pop("data", None)
    else:
        doc["data"] = meta
    return doc


def _steps_for_epochs(trainer: Trainer, epochs: int) -> int:
    """Steps that show the training rows ``epochs`` times (the last batch may run into the next)."""
    batch = trainer.batch_size or trainer.n
    return -(-epochs * trainer.n // batch)


def run_training(experiment: Experiment, steps: int) -> dict[int, float] | None:
    """Take ``steps`` steps with a progress bar; returns the test loss at each step that completes
    an epoch and at the last one, by step (the history's ``step``), or None without a test set.
    Raises :class:`Diverged` as soon as the experiment finds the run diverged."""
    net, n = experiment.net, experiment.trainer.n
    test = (experiment.X_test, experiment.y_test) if experiment.X_test is not None else None
    test_losses: dict[int, float] | None = {} if test is not None else None
    with Progress(steps) as progress:
        for i in range(steps):
            epoch_before = net.samples_seen // n
            loss = experiment.run(1)
            if experiment.diverged:
                raise _diverged(net, net.optimizer.t, experiment.divergence or "the loss")
            if test_losses is not None and (net.samples_seen // n > epoch_before or i == steps - 1):
                test_losses[int(experiment.trainer.history["step"][-1])] = net.evaluate(*test)
            progress.advance(loss)
    return test_losses


def _diverged(net: Network, step: int, what: str) -> Diverged:
    lr = getattr(net.optimizer, "lr", None)
    now = f", now {lr:g}" if isinstance(lr, float) else ""
    return Diverged(f"training diverged at step {step}: {what} became NaN or infinite; try a smaller "
                    f"learning rate (optimizer.lr in the model file{now}); nothing was written")


class Progress:
    """A tqdm bar on stderr, showing the loss, when stderr is a terminal; otherwise nothing.
    Refreshed at most every :data:`PROGRESS_INTERVAL` seconds so it costs little per step."""

    def __init__(self, total: int, enabled: bool | None = None):
        if enabled is None:
            enabled = sys.stderr.isatty()
        self.bar = None
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(total=total, file=sys.stderr, unit="step", leave=False, dynamic_ncols=True,
                            mininterval=PROGRESS_INTERVAL)
        self.pending, self.last, self.loss = 0, time.monotonic(), math.nan

    def advance(self, loss: float) -> None:
        if self.bar is None:
            return
        self.pending += 1
        self.loss = loss
        now = time.monotonic()
        if now - self.last >= PROGRESS_INTERVAL:
            self._flush()
            self.last = now

    def _flush(self) -> None:
        self.bar.set_postfix_str(f"loss={self.loss:.4g}", refresh=False)
        self.bar.update(self.pending)
        self.pending = 0

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            if self.pending:
                self._flush()
            self.bar.close()


def metrics_csv(history: dict, test_losses: dict[int, float] | None) -> str:
    """The metrics as CSV text: a header, then one row per row of ``history`` (every step, or past
    its cap two rows per bucket of steps); ``test_loss`` where one was evaluated at that step."""
    columns = METRICS_COLUMNS + (("test_loss",) if test_losses is not None else ())
    lines = [",".join(columns)]
    for i in range(len(history["step"])):
        row = [history[key][i] for key in METRICS_COLUMNS]
        if test_losses is not None:
            row.append(test_losses.get(int(history["step"][i])))
        lines.append(",".join(_cell(value) for value in row))
    return "\n".join(lines) + "\n"


def _cell(value) -> str:
    """A CSV cell: exact numbers (repr round-trips), empty for missing or NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return repr(float(value)) if isinstance(value, (float, np.floating)) else str(value)


def summary(experiment: Experiment, steps: int, paths: list[Path]) -> str:
    """One line: steps, losses (data loss on all rows after training), accuracy, outputs."""
    trainer, net = experiment.trainer, experiment.net
    snap = experiment.snapshot()
    scaled = experiment.input_scaling().name
    scaled = "" if scaled == "none" else f", inputs scaled {scaled}"
    parts = [f"trained {_count(steps, 'step')} on {experiment.data.dataset} ({_count(trainer.n, 'row')}{scaled}, "
             f"epoch {trainer.epoch_count:.4g}, step {net.optimizer.t})"]
    scores = [("train", snap.train_loss, snap.train_accuracy)]
    if snap.test_loss is not None:
        scores.append(("test", snap.test_loss, snap.test_accuracy))
    for name, loss, acc in scores:
        parts.append(f"{name} loss {loss:.6g}" + (f", accuracy {100 * acc:.1f}%" if acc is not None else ""))
    parts.append("wrote " + " and ".join(str(p) for p in paths))
    return "; ".join(parts)


# -- output ----------------------------------------------------------------------------------------
def check_output_folder(folder: Path) -> None:
    """Fail early, before training, if ``folder`` cannot be created or written."""
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"--out {folder}: exists and is not a folder")
    ancestor = folder
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise UsageError(f"--out {folder}: {ancestor} is a file, not a folder")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise UsageError(f"--out {folder}: cannot write in {ancestor} (permission denied)")


def check_output_file(out: Path, example: str) -> None:
    """Fail early, before any work, if the file ``out`` cannot be written (a folder, a missing or
    unwritable folder); ``example`` names a file to suggest instead of a folder."""
    if out.is_dir():
        raise UsageError(f"--out {out}: is a folder; give a file name such as {out / example}")
    folder = out.absolute().parent
    if not folder.is_dir():
        raise UsageError(f"--out {out}: the folder {out.parent} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"--out {out}: cannot write in {out.parent} (permission denied)")


def write_files(folder: Path, files: dict[str, str]) -> None:
    """Write every file in ``files`` (name -> text) into ``folder``, all or none (see
    :func:`~nnviz.core.writing.atomic_write_files`), creating the folder and its parents; if the
    write fails or is interrupted, the folders it created are removed and the files already in
    ``folder`` are as they were."""
    missing = []
    ancestor = folder
    while not ancestor.exists():
        missing.append(ancestor)
        ancestor = ancestor.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write_files({folder / name: text for name, text in files.items()})
    except BaseException:
        for path in missing:  # innermost first; not emptied (a signal that came after the commit)
            try:
                path.rmdir()
            except OSError:
                pass
        raise


# -- trace -----------------------------------------------------------------------------------------
def command_trace(args) -> int:
    """``nnviz trace``: take one step and write its trace as JSON."""
    out = None if args.out == "-" else Path(args.out)
    if out is not None:
        check_output_file(out, "trace.json")
    experiment = experiment_for(args, fit_model=False)
    text = trace_json(trace_document(experiment.trainer))
    if out is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        atomic_write_text(out, text)
    return EXIT_OK


def trace_document(trainer: Trainer) -> dict:
    """The trace of the trainer's next step as a JSON-ready dict (the perceptron rule takes no
    gradient: its ``grad_norm`` is null)."""
    return trainer.trace().to_dict()


def trace_json(doc: dict) -> str:
    """The trace as JSON text; a non-finite number (which JSON cannot hold) is an error naming it."""
    try:
        return dumps(doc)
    except ValueError:
        where = first_non_finite(doc, "trace") or "trace"
        raise Diverged(f"{where} is NaN or infinite, which JSON cannot hold; the step diverged (try a "
                       f"smaller learning rate); nothing was written") from None


def first_non_finite(value, where: str) -> str | None:
    """The path (``trace.layers[0].z[1][0]``) of the first NaN or infinity in ``value``, or None."""
    if isinstance(value, float):
        return None if math.isfinite(value) else where
    if isinstance(value, dict):
        items = ((f"{where}.{key}", item) for key, item in value.items())
    elif isinstance(value, list):
        items = ((f"{where}[{i}]", item) for i, item in enumerate(value))
    else:
        return None
    for path, item in items:
        found = first_non_finite(item, path)
        if found:
            return found
    return None


# -- code ------------------------------------------------------------------------------------------
def command_code(args) -> int:
    """``nnviz code``: write a PyTorch script or notebook that goes on from the model's state."""
    out = Path(args.out)
    if out.suffix.lower() not in SUFFIXES:
        raise UsageError(f"--out {out}: expected a file ending in {' or '.join(SUFFIXES)} (a PyTorch script or a "
                         f"Jupyter notebook)")
    check_output_file(out, "train.py")
    experiment = experiment_for(args, fit_model=False)
    paths = write_torch_code(run_of(experiment), out, steps=args.steps, device=args.device,
                             command=args.command_line)
    beside = f" (with {', '.join(p.name for p in paths[1:])} beside it)" if len(paths) > 1 else ""
    kind = "notebook" if out.suffix.lower() == ".ipynb" else "script"
    print(f"{PROG}: wrote {paths[0]}{beside}: a PyTorch {kind} that trains {args.steps} steps from step "
          f"{experiment.net.optimizer.t} on {experiment.data.dataset}")
    return EXIT_OK


# -- export ----------------------------------------------------------------------------------------
def command_export(args) -> int:
    """``nnviz export``: render a panel (or the report, or an animation) offscreen."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"  # no display needed, whatever the machine has
    from PySide6 import QtCore

    from nnviz.gui.app import create_application

    QtCore.qInstallMessageHandler(_quiet_qt)
    create_application([PROG])
    from nnviz.gui.animation import MAX_FRAMES
    from nnviz.gui.headless import Diverged as ExportDiverged
    from nnviz.gui.headless import export_plot

    if Path(args.out).suffix.lower().lstrip(".") in ANIMATION_FORMATS and args.frames > MAX_FRAMES:
        # refused now, not after rendering the frames the recorder takes
        raise UsageError(f"--frames {args.frames}: an animation has at most {MAX_FRAMES:,} frames")
    experiment = experiment_for(args, fit_model=True)
    try:
        path = export_plot(experiment, args.plot, args.out, steps=args.steps, scale=args.scale, width=args.width,
                           background="transparent" if args.transparent else "white", title=not args.no_title,
                           fps=args.fps, frames=args.frames)
    except ExportDiverged as exc:
        raise Diverged(str(exc)) from None
    snap = experiment.snapshot()
    print(f"{PROG}: wrote {path} ({args.plot} after {snap.step} step{'s' if snap.step != 1 else ''}, "
          f"train loss {snap.train_loss:.4g})")
    return EXIT_OK


def _quiet_qt(mode, context, message) -> None:
    """Qt's offscreen platform warns about every window-manager call it ignores: hide just those."""
    if "This plugin does not support" not in message and "propagateSizeHints" not in message:
        sys.stderr.write(message + "\n")
