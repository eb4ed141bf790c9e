"""Export as PyTorch: a training script (or notebook) that goes on from where a run stands.

The script is plain PyTorch and NumPy, with nothing of nnviz: an ``nn.Module`` built from the
network's layers, the current parameters, buffers, optimizer state and step count, the training rows
(inline, or in a CSV file beside it when there are many), and a loop that takes the rows in nnviz's
batch order with nnviz's dropout masks (both drawn by NumPy's generator, seeded as the
:class:`~nnviz.core.trainer.Trainer` seeds it). Run on the CPU in float64, its per-step losses equal
nnviz's to rounding; ``--metrics FILE`` writes the columns of ``nnviz train``'s ``metrics.csv``.

Each kind writes its own PyTorch code beside its maths — ``torch_code`` of a layer, an activation, a
loss and a schedule, ``torch_class`` (or ``torch_step``) of an optimizer — and this module only lays
the script out. A kind without a PyTorch form (a plug-in's) is refused in one line, naming it, before
anything is written.
"""

from __future__ import annotations

import io
import json
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from nnviz import __version__
from nnviz.core.data import InputScaling, prepare_inputs, prepare_targets
from nnviz.core.errors import ModelError
from nnviz.core.trainer import Trainer
from nnviz.core.writing import atomic_write_files

#: steps the script takes unless told (``--steps``), as ``nnviz train``
DEFAULT_STEPS = 1000
#: where the script may run (``--device``)
DEVICES = ("cpu", "cuda", "mps")
#: what the file's suffix makes: a script or a Jupyter notebook
SUFFIXES = {".py": "script", ".ipynb": "notebook"}
#: data of more rows (training and test) go to CSV files beside the script
INLINE_ROWS = 2000
#: parameters, buffers and optimizer state of more numbers go to an .npz file beside the script
INLINE_NUMBERS = 50_000
WIDTH = 100  # the script's lines, numbers wrapped to it
TORCH_DTYPES = {"float64": "torch.float64", "float32": "torch.float32"}


class ExportError(ModelError):
    """The run cannot be written as PyTorch (a kind without a PyTorch form, numbers that are not)."""


@dataclass(frozen=True)
class Run:
    """What a script goes on with: the trainer (network, training rows, batches, seed) and the test
    rows, in the network's dtype, with the names of the columns."""

    trainer: Trainer
    X_test: np.ndarray | None = None
    y_test: np.ndarray | None = None
    input_names: tuple[str, ...] = ()
    target_names: tuple[str, ...] = ()
    data_name: str = "the data"
    title: str = ""
    #: the input scaling nnviz applies to the rows (none: they go in as they are), and the rows before
    #: it (training, test; float64), which the script then scales as nnviz does
    scaling: InputScaling = field(default_factory=InputScaling)
    raw_inputs: tuple[np.ndarray, np.ndarray | None] | None = None


def run_of(experiment) -> Run:
    """The :class:`Run` of an :class:`~nnviz.core.experiment.Experiment` as it stands."""
    net, trainer = experiment.net, experiment.trainer
    X_test = y_test = None
    if experiment.X_test is not None:
        X_test = prepare_inputs(net, experiment.X_test)
        y_test = prepare_targets(net, experiment.y_test, len(X_test))
    scaling, raw = experiment.input_scaling(), None
    if not scaling.identity:
        raw = (experiment._features(experiment.raw_train.X),
               experiment._features(experiment.raw_test.X) if X_test is not None else None)
        # the script scales the raw rows itself, when that gives exactly the rows nnviz trains on (rows
        # edited by hand after expanding the features do not): else it gets the scaled rows
        if not all(a is None or np.array_equal(prepare_inputs(net, scaling.apply(a)), b, equal_nan=True)
                   for a, b in zip(raw, (trainer.X, X_test))):
            scaling, raw = InputScaling(), None
    return Run(trainer, X_test, y_test, tuple(experiment.input_names), tuple(experiment.raw_train.target_names),
               experiment.raw_train.name, net.meta.get("name") or "", scaling, raw)


def check_path(path) -> str:
    """What ``path``'s suffix makes (``"script"`` or ``"notebook"``), else a one-line ExportError."""
    kind = SUFFIXES.get(Path(path).suffix.lower())
    if kind is None:
        raise ExportError(f"{path}: expected a .py script or an .ipynb notebook")
    return kind


def write_torch_code(run: Run, path, steps: int = DEFAULT_STEPS, device: str = "cpu",
                     command: str = "") -> list[Path]:
    """Write the script or notebook for ``run`` to ``path`` (by its suffix), with its data and state
    files beside it when they are large: all of them or none, atomically. Returns the paths written."""
    return atomic_write_files(torch_files(run, path, steps, device, command))


def torch_files(run: Run, path, steps: int = DEFAULT_STEPS, device: str = "cpu",
                command: str = "") -> dict[Path, str | bytes]:
    """The files :func:`write_torch_code` writes, by path: the script or notebook first."""
    path = Path(path)
    kind = check_path(path)
    if device not in DEVICES:
        raise ExportError(f"device: expected one of {', '.join(DEVICES)}, got {device!r}")
    if type(steps) is not int or steps < 0:
        raise ExportError(f"steps: expected a whole number >= 0, got {steps!r}")
    script = _Script(run, path, steps, device, command, notebook=kind == "notebook")
    text = script.notebook() if kind == "notebook" else script.text()
    return {path: text, **script.beside}


# -- numbers as source ---------------------------------------------------------------------------------
def _number(value) -> str:
    """A float as exact source: ``repr`` round-trips (a float32 value is exact as a double too)."""
    return repr(float(value))


def _str(text: str) -> str:
    """A string as source, in double quotes."""
    return json.dumps(text, ensure_ascii=False)


def _wrapped(items: list[str], indent: int, width: int = WIDTH) -> list[str]:
    """``items`` joined by ", " into lines of at most ``width`` characters after ``indent`` spaces
    (the last item without a comma)."""
    lines, line = [], ""
    for i, item in enumerate(items):
        piece = item + ("," if i < len(items) - 1 else "")
        if line and indent + len(line) + 1 + len(piece) > width:
            lines.append(line)
            line = piece
        else:
            line = f"{line} {piece}" if line else piece
    lines.append(line)
    return [" " * indent + text for text in lines]


def _literal(array: np.ndarray, indent: int) -> str:
    """A 1-D or 2-D array as a nested list literal, starting after ``indent`` spaces of its line."""
    array = np.asarray(array)
    if array.ndim == 1:
        one = "[" + ", ".join(_number(v) for v in array) + "]"
        if indent + len(one) <= WIDTH:
            return one
        return "[\n" + "\n".join(_wrapped([_number(v) for v in array], indent + 4)) + "\n" + " " * indent + "]"
    rows = [_literal(row, indent + 4) for row in array]
    return "[\n" + "".join(" " * (indent + 4) + row + ",\n" for row in rows) + " " * indent + "]"


def _call(text: str, indent: int) -> str:
    """A call ``name(a, b, …)`` as source, its arguments wrapped under the parenthesis when long."""
    if indent + len(text) <= WIDTH:
        return text
    head, args = text.split("(", 1)
    items = args[:-1].split(", ")
    lines = _wrapped(items, indent + len(head) + 1)
    return head + "(" + "\n".join(lines)[indent + len(head) + 1:] + ")"


def _comment(text: str, indent: int = 0) -> str:
    """``text`` as ``#`` comment lines wrapped to :data:`WIDTH` (blank lines kept, indented lines as
    they are: code in a comment)."""
    out = []
    for paragraph in text.split("\n"):
        if paragraph.startswith("    ") or not paragraph:
            out.append(" " * indent + ("# " + paragraph).rstrip())
        else:
            out += [" " * indent + "# " + line for line in textwrap.wrap(paragraph, WIDTH - indent - 2)]
    return "\n".join(out)


def _docstring(text: str, indent: int = 4) -> str:
    """``text`` as a docstring wrapped to :data:`WIDTH`, after ``indent`` spaces."""
    pad = " " * indent
    lines = textwrap.wrap(text, WIDTH - indent - 3)
    if len(lines) == 1:
        return f'{pad}"""{lines[0]}"""'
    return f'{pad}"""' + f"\n{pad}".join(lines) + f'\n{pad}"""'


def _finite(name: str, array: np.ndarray) -> None:
    if not np.isfinite(array).all():
        raise ExportError(f"{name} holds NaN or infinite numbers (a diverged run?), which PyTorch would train "
                          f"on as they are; reset the run or load an earlier save")


# -- the script ----------------------------------------------------------------------------------------
@dataclass
class _Section:
    """One part of the script: a title and what it says (a comment in a script, a Markdown cell in a
    notebook), and its code."""

    title: str
    text: str
    code: str


class _Script:
    """The script for one run: built once, written as a ``.py`` file or as a notebook."""

    def __init__(self, run: Run, path: Path, steps: int, device: str, command: str, notebook: bool):
        self.run, self.path, self.steps, self.device, self.command = run, path, steps, device, command
        self.in_notebook = notebook
        self.trainer = trainer = run.trainer
        self.net = net = trainer.net
        self.beside: dict[Path, str | bytes] = {}
        self.here = False  # whether the script has said where the files beside it are
        self.dtype = TORCH_DTYPES.get(net.dtype_name)
        if self.dtype is None:
            raise ExportError(f"dtype {net.dtype_name!r} has no PyTorch export")
        self.layers = self._modules()
        self.loss = net.loss.torch_loss()
        if self.loss is None:
            raise ExportError(f"cannot export as PyTorch: loss {net.loss.name!r} has no PyTorch code (torch_code)")
        self.optimizer = net.optimizer
        if self.optimizer.torch_class is None and self.optimizer.torch_step is None:
            raise ExportError(f"cannot export as PyTorch: optimizer {self.optimizer.name!r} has no PyTorch code "
                              f"(torch_class or torch_step)")
        self.schedule = net.schedule.torch_lines()
        if self.schedule is None:
            raise ExportError(f"cannot export as PyTorch: schedule {net.schedule.name!r} has no Python code "
                              f"(torch_code)")
        self.dropout = any(layer.type == "dropout" for layer in net.layers)
        self.masks = any(layer.type == "dropout" and layer.p > 0 for layer in net.layers)
        for name, array in (("the parameters", net.flat_params), *(
                (f"the optimizer state ({term})", flat) for term, flat in self.optimizer.state.items()),
                *((f"{name}", value) for name, value in net.named_buffers())):
            _finite(name, array)

    # -- the model ------------------------------------------------------------------------------
    def _modules(self) -> list[tuple[str, str]]:
        """The modules of the model's ``nn.Sequential`` in order, as (source, comment); and, in
        :attr:`names`, each parameter's and buffer's nnviz name -> its ``state_dict`` name."""
        net = self.net
        modules: list[tuple[str, str]] = []
        self.names: dict[str, str] = {}
        self.helpers: list[str] = []
        self.fused = net.loss.takes_logits and net.loss.fuses(net.layers[-1].activation.name)
        last = len(net.layers) - 1
        for i, layer in enumerate(net.layers):
            source = layer.torch_module()
            if source is None:
                raise ExportError(f"cannot export as PyTorch: layer type {layer.type!r} (layers[{i}]) has no "
                                  f"PyTorch code (torch_code)")
            index = len(modules)
            what = f"layers[{i}]: {layer.type}" + (f" {layer.units}" if "units" in layer.OPTIONS else "")
            modules.append((source, what))
            self._helper(layer.torch_helper)
            activation = layer.activation
            act_index = None
            if i == last and self.fused:
                if not activation.options.get("stable", True):
                    raise ExportError(f"cannot export as PyTorch: the output softmax (layers[{i}]) has \"stable\": "
                                      f"false, but PyTorch's cross_entropy takes logits and always subtracts the "
                                      f"max, so the script would not overflow as nnviz does; make it stable to "
                                      f"export")
                modules[-1] = (source, f"{what}; its {activation.name} is in the loss, which takes logits")
            else:
                act = activation.torch_module()
                if act is None:
                    raise ExportError(f"cannot export as PyTorch: activation {activation.name!r} (layers[{i}]) "
                                      f"has no PyTorch code (torch_code)")
                if act:
                    act_index = len(modules)
                    modules.append((act, ""))
                    self._helper(activation.torch_helper)
            own = {name for name, _ in activation.param_shapes}
            for name in [*layer.parameters(), *layer.buffers()]:
                if name in own:
                    self.names[f"layers[{i}].{name}"] = f"layers.{act_index}.{activation.torch_names.get(name, name)}"
                else:
                    self.names[f"layers[{i}].{name}"] = f"layers.{index}.{layer.torch_names.get(name, name)}"
        return modules

    def _helper(self, source: str) -> None:
        source = source.strip("\n")
        if source and source not in self.helpers:
            self.helpers.append(source)

    def _architecture(self) -> str:
        parts = [f"{self.net.inputs} inputs"]
        for layer in self.net.layers:
            name = layer.type + (f" {layer.units}" if "units" in layer.OPTIONS else "")
            if layer.activation.name != "identity":
                name += f" ({layer.activation.name})"
            parts.append(name)
        return " -> ".join(parts)

    # -- the sections -------------------------------------------------------------------------------
    def sections(self) -> list[_Section]:
        return [self._settings(), self._data(), self._model(), self._state(), self._training(), self._batches(),
                self._step(), self._loop()]

    def _settings(self) -> _Section:
        code = (f"STEPS = {self.steps}  # steps to take (--steps)\n"
                f"DEVICE = {_str(self.device)}  # where to train: cpu, cuda or mps (--device)\n"
                f"DTYPE = {self.dtype}  # the model's dtype, in which nnviz computes\n"
                f"torch.set_default_dtype(DTYPE)  # every tensor and layer below in it")
        return _Section("Settings", "", code)

    def _data(self) -> _Section:
        run, trainer = self.run, self.trainer
        n, width, outputs = trainer.n, trainer.X.shape[1], trainer.y.shape[1]
        inputs = list(run.input_names) if len(run.input_names) == width else [f"x{j + 1}" for j in range(width)]
        targets = list(run.target_names) if len(run.target_names) == outputs else (
            [f"{run.target_names[0]}={k}" for k in range(outputs)] if len(run.target_names) == 1
            else [f"y{k + 1}" for k in range(outputs)])
        self.columns = inputs + targets
        test = run.X_test is not None
        rows = n + (len(run.X_test) if test else 0)
        said = (f"{run.data_name}: {n} training rows (inputs {', '.join(inputs)}; target"
                f"{'s' if outputs > 1 else ''} {', '.join(targets)})")
        if test:
            said += f", and {len(run.X_test)} test rows whose loss is measured after each epoch"
        said += ", as nnviz feeds them to the network" + (
            " (class indices as one-hot rows)." if len(run.target_names) != outputs else ".")
        text = (said + "\n\nTo train on a data set of your own, put its rows in X and Y: NumPy arrays of "
                f"rows x {width} inputs and rows x {outputs} target{'s' if outputs > 1 else ''} (from "
                "np.loadtxt, say). For data too large to hold, or to read them as they come, swap batch_rows() "
                "in train() for a DataLoader:\n"
                "    from torch.utils.data import DataLoader, TensorDataset\n"
                "    loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True)\n"
                "    for xb, yb in loader: ...\n"
                "(its order is not nnviz's, so the losses will then differ from nnviz's).")
        dtype = "np." + self.net.dtype_name
        scaled = run.raw_inputs is not None
        X, X_test = run.raw_inputs if scaled else (trainer.X, run.X_test)
        x_dtype = "np.float64" if scaled else dtype  # raw rows are scaled in float64, as nnviz scales them
        if scaled:
            text += (f"\n\nThe inputs are scaled as nnviz scales them ({run.scaling.name}: x -> (x - SHIFT) / "
                     "DIVISOR, the numbers from the training rows only): give rows of your own the same SHIFT "
                     "and DIVISOR, and a prediction the same too.")
        lines = [f"INPUTS = {json.dumps(inputs, ensure_ascii=False)}",
                 f"TARGETS = {json.dumps(targets, ensure_ascii=False)}"]
        scaling = self._scaling_lines(dtype, test) if scaled else []
        if rows <= INLINE_ROWS:
            lines.append(f"X = np.array({_literal(X, 0)}, dtype={x_dtype})")
            lines.append(f"Y = np.array({_literal(trainer.y, 0)}, dtype={dtype})")
            if test:
                lines.append(f"X_TEST = np.array({_literal(X_test, 0)}, dtype={x_dtype})")
                lines.append(f"Y_TEST = np.array({_literal(run.y_test, 0)}, dtype={dtype})")
            return _Section("The data", text, "\n".join(lines + scaling))
        files = {"": (X, trainer.y)}
        if test:
            files["_TEST"] = (X_test, run.y_test)
        self.here = True
        code = [self._here(), "", "",
                "def read_rows(path):",
                '    """Inputs and targets from a CSV file as nnviz writes them: a header, then one row each."""',
                '    with open(path, newline="") as f:',
                "        rows = list(csv.reader(f))[1:]",
                f"    numbers = np.array([[float(v) for v in row] for row in rows], dtype={x_dtype})",
                "    return numbers[:, :len(INPUTS)], numbers[:, len(INPUTS):]"
                + (f".astype({dtype})" if scaled else ""), "", ""] + lines
        for suffix, (X, y) in files.items():
            name = f"{self.path.stem}{'-test' if suffix else '-data'}.csv"
            self.beside[self.path.with_name(name)] = _csv(self.columns, X, y)
            code.append(f"X{suffix}, Y{suffix} = read_rows(HERE / {_str(name)})")
        return _Section("The data", text, "\n".join(code + scaling))

    def _scaling_lines(self, dtype: str, test: bool) -> list[str]:
        """The lines that scale X (and X_TEST) as nnviz does, then give them the model's dtype."""
        scaling = self.run.scaling
        values = []
        for name in ("SHIFT", "DIVISOR"):
            value = np.asarray(getattr(scaling, name.lower()), dtype=np.float64)
            values.append(f"{name} = {_number(value)}" if value.ndim == 0
                          else f"{name} = np.array({_literal(value, len(name) + 12)})")
        lines = ["", f"# the input scaling nnviz applies ({scaling.name}), its numbers from the training rows only",
                 *values, f"X = ((X - SHIFT) / DIVISOR).astype({dtype})"]
        if test:
            lines.append(f"X_TEST = ((X_TEST - SHIFT) / DIVISOR).astype({dtype})")
        return lines

    def _here(self) -> str:
        if self.in_notebook:
            return "HERE = Path()  # the folder the notebook's files are in (run it from there)"
        return "HERE = Path(__file__).resolve().parent  # the files beside this script"

    def _model(self) -> _Section:
        body = "\n".join(f"            {source},  # {what}" if what else f"            {source},"
                         for source, what in self.layers)
        doc = self._architecture() + "."
        if self.fused:
            probability = {"sigmoid": "torch.sigmoid(model(x))", "softmax": "torch.softmax(model(x), dim=1)"}.get(
                self.net.layers[-1].activation.name, f"{self.net.layers[-1].activation.name} of model(x)")
            doc += (f" It returns logits: the loss applies the output's {self.net.layers[-1].activation.name} "
                    f"itself; {probability} gives what nnviz's output shows.")
        docstring = _docstring(doc)
        net_class = (f"class Net(nn.Module):\n{docstring}\n\n"
                     "    def __init__(self):\n"
                     "        super().__init__()\n"
                     f"        self.layers = nn.Sequential(\n{body}\n        )\n\n"
                     "    def forward(self, x):\n"
                     "        return self.layers(x)")
        code = "\n\n\n".join([*self.helpers, net_class])
        text = ("nnviz's layers as PyTorch modules, each with its activation after it. nnviz's names of the "
                "parameters (layers[i].weight) are written beside their state_dict names below.")
        return _Section("The model", text, code)

    def _state(self) -> _Section:
        net, opt = self.net, self.optimizer
        t, seen = opt.t, net.samples_seen
        numbers = {self.names[name]: (name, array) for name, array in net.named_parameters() + net.named_buffers()}
        state: dict[str, dict[str, np.ndarray]] = {}
        if t > 0 and opt.state:
            for name, array in net.named_parameters():
                piece = net.param_slices[name]
                state[self.names[name]] = {term: flat[piece].reshape(array.shape) for term, flat in opt.state.items()}
        count = sum(a.size for _, a in numbers.values()) + sum(a.size for s in state.values() for a in s.values())
        epoch = seen / self.trainer.n
        text = (f"Step {t} of the run ({seen} samples seen, epoch {epoch:.4g}): the parameters and buffers as nnviz "
                "has them, under this model's state_dict names (nnviz's names in the comments)")
        text += ", and the optimizer's state of each parameter." if state else "."
        lines = [f"STEP = {t}  # optimizer steps taken", f"SAMPLES_SEEN = {seen}  # training rows fed so far"]
        if count > INLINE_NUMBERS:
            name = f"{self.path.stem}-state.npz"
            self.beside[self.path.with_name(name)] = _npz(numbers, state)
            lines += ["", "", *([] if self.here else [self._here()]),
                      f"with np.load(HERE / {_str(name)}) as saved:  # name: array; state/name/term: optimizer's",
                      "    NUMBERS = {key: saved[key] for key in saved.files if not key.startswith('state/')}",
                      "    OPTIMIZER_STATE = {}",
                      "    for key in saved.files:",
                      "        if key.startswith('state/'):",
                      "            name, term = key[len('state/'):].rsplit('/', 1)",
                      "            OPTIMIZER_STATE.setdefault(name, {})[term] = saved[key]"]
        else:
            lines.append("NUMBERS = {")
            for key, (name, array) in numbers.items():
                lines.append(f"    # {name}")
                lines.append(f"    {_str(key)}: {_literal(array, 4)},")
            lines.append("}")
            if state:
                lines.append("OPTIMIZER_STATE = {")
                for key, terms in state.items():
                    lines.append(f"    {_str(key)}: {{")
                    for term, array in terms.items():
                        lines.append(f"        {_str(term)}: {_literal(array, 8)},")
                    lines.append("    },")
                lines.append("}")
            else:
                lines.append("OPTIMIZER_STATE = {}  # " + ("none yet: the first step starts it, as in nnviz"
                                                          if opt.state else f"{opt.name} keeps none"))
        keep = ('{"step": torch.tensor(float(STEP)), **values}  # on the CPU, as torch keeps it'
                if opt.torch_counts_steps else "values")
        lines += ["", "",
                  "def load_numbers(model, optimizer):",
                  '    """Put nnviz\'s numbers into the model and the optimizer\'s state."""',
                  "    with torch.no_grad():",
                  "        state = model.state_dict()  # tensors that share the model's storage",
                  "        for name, value in NUMBERS.items():",
                  "            state[name].copy_(torch.as_tensor(value))",
                  "    params = dict(model.named_parameters())",
                  "    for name, terms in OPTIMIZER_STATE.items():",
                  "        param = params[name]",
                  "        values = {term: torch.as_tensor(value, dtype=param.dtype, device=param.device)",
                  "                  for term, value in terms.items()}",
                  f"        optimizer.state[param] = {keep}"]
        return _Section("Where nnviz stands", text, "\n".join(lines))

    def _training(self) -> _Section:
        net, opt = self.net, self.optimizer
        loss = net.loss
        loss_doc = _docstring(f"{loss.title or loss.name}, as nnviz computes it: {loss.formula(repr)}.")
        code = ["def loss_fn(out, y):", loss_doc, textwrap.indent(self.loss, "    ")]
        reg = net.regularization
        weights = [self.names[f"layers[{i}].{name}"] for i, layer in enumerate(net.layers)
                   for name in layer.REGULARIZED]
        self.regularized = bool(weights) and bool(reg["l1"] or reg["l2"]) and not opt.per_sample
        if self.regularized:
            terms = []
            if reg["l1"]:
                terms.append(f"{_number(reg['l1'])} * sum(w.abs().sum() for w in weights)")
            if reg["l2"]:
                terms.append(f"{_number(reg['l2'])} * sum((w * w).sum() for w in weights)")
            code += ["", "", "REGULARIZED = [" + ", ".join(_str(w) for w in weights) + "]", "", "",
                     "def regularization(model):",
                     '    """The L1/L2 penalty nnviz adds to the loss: on the weights, not on biases, norms or '
                     'PReLU\'s slope."""',
                     "    params = dict(model.named_parameters())",
                     "    weights = [params[name] for name in REGULARIZED]",
                     "    return " + " + ".join(terms)]
        schedule = net.schedule
        warmup = f", after a linear warm-up of {schedule.warmup} steps" if schedule.warmup > 1 else ""
        code += ["", "", f"BASE_LR = {_number(schedule.base_lr)}", "", "",
                 "def learning_rate(step):",
                 _docstring(f"The learning rate of step `step` (0: the run's first): {schedule.name}{warmup}, "
                            "as in nnviz.")]
        lines = self.schedule
        if not re.search(r"\bt\b", lines[-1]):  # a constant rate: no t to count
            lines = [line for line in lines if not line.startswith("t = ")]
        code += ["    " + line for line in lines]
        if opt.torch_class is not None:
            code += ["", "", "def make_optimizer(model):",
                     _docstring(f"{opt.title or opt.name}, as nnviz's (learning_rate() sets its rate each step)."),
                     "    return " + _call(opt.torch_optimizer("model.parameters()"), 11)]
        else:
            code += ["", "", "def make_optimizer(model):",
                     _docstring(f"None: the {opt.title or opt.name} is no torch.optim optimizer; "
                                "train_step applies it.")]
        if net.clip_grad_norm is not None and not opt.per_sample:
            code += ["", "", f"CLIP_GRAD_NORM = {_number(net.clip_grad_norm)}  # the gradients' largest norm"]
        text = "The loss, the learning rate of each step and the optimizer, with nnviz's settings."
        return _Section("Loss, learning rate, optimizer", text, "\n".join(code))

    def _batches(self) -> _Section:
        tr = self.trainer
        code = [f"SEED = {tr.seed}  # seeds the row order{' and the dropout masks' if self.masks else ''}, as in nnviz"]
        if tr.batch_size is None:
            code.append("BATCH_SIZE = None  # every step takes every training row (full-batch gradient descent)")
            text = "Every step takes the whole training set, in its order, as nnviz's full batch does."
            if self.masks:
                text += " Dropout's masks come from NumPy's generator, seeded by the seed and the step."
            return _Section("Batches", text, "\n".join(code))
        order = ("np.random.default_rng([SEED, epoch]).permutation(len(X))" if tr.shuffle
                 else "np.arange(len(X))")
        code += [f"BATCH_SIZE = {tr.batch_size}", "", "",
                 "@lru_cache(maxsize=2)",
                 "def epoch_order(epoch):",
                 '    """The rows of epoch `epoch` (0: the first) in the order nnviz takes them."""',
                 f"    return {order}", "", "",
                 "def batch_rows(samples_seen):",
                 '    """The rows of the batch after `samples_seen` samples: epoch after epoch, a batch at an '
                 'epoch\'s end',
                 '    running on into the next."""',
                 "    epoch, start = divmod(samples_seen, len(X))",
                 "    rows = epoch_order(epoch)[start:start + BATCH_SIZE]",
                 "    if len(rows) < BATCH_SIZE:",
                 "        rows = np.concatenate([rows, epoch_order(epoch + 1)[:BATCH_SIZE - len(rows)]])",
                 "    return rows"]
        text = ("Batches in nnviz's order: " + ("each epoch's rows shuffled by NumPy's generator seeded with "
                "[SEED, epoch]" if tr.shuffle else "the rows in their order") + ", a batch at an epoch's end running"
                " on into the next.")
        if self.masks:
            text += " Dropout's masks come from NumPy's generator too, seeded with [SEED, 1, step]."
        return _Section("Batches", text, "\n".join(code))

    def _step(self) -> _Section:
        opt = self.optimizer
        doc = ['    """One optimizer step on the batch (xb, yb) at learning rate lr; returns the batch\'s loss '
               'before the',
               '    update and the gradients\' norm before clipping."""']
        if opt.torch_step is not None:
            body = textwrap.indent(opt.torch_step, "    ")
        else:
            loss = "loss_fn(model(xb), yb)" + (" + regularization(model)" if self.regularized else "")
            lines = ["optimizer.zero_grad()",
                     f"loss = {loss}",
                     "loss.backward()",
                     "grad_norm = math.sqrt(sum(float((p.grad * p.grad).sum()) for p in model.parameters()))"]
            if self.net.clip_grad_norm is not None:
                lines.append("torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP_GRAD_NORM, foreach=False)")
            lines += ["for group in optimizer.param_groups:",
                      "    group[\"lr\"] = lr",
                      "optimizer.step()",
                      "return loss.item(), grad_norm"]
            body = textwrap.indent("\n".join(lines), "    ")
        code = "\n".join(["def train_step(model, optimizer, xb, yb, lr):", *doc, body])
        text = ("One training step, as nnviz takes it: " + (
            "the perceptron rule, sample by sample." if opt.torch_step is not None else
            "the batch's loss" + (" with the L1/L2 penalty" if self.regularized else "") + ", its gradients, "
            "their norm" + (", clipped" if self.net.clip_grad_norm is not None else "") +
            ", then the optimizer's step at the schedule's rate."))
        return _Section("One step", text, code)

    def _loop(self) -> _Section:
        test = self.run.X_test is not None
        columns = ["step", "epoch", "lr", "loss", "grad_norm"] + (["test_loss"] if test else [])
        full = self.trainer.batch_size is None
        code = [f"COLUMNS = {json.dumps(columns)}  # of nnviz train's metrics.csv", "", "",
                "def train(steps=STEPS, device=DEVICE, metrics=None):",
                '    """Take `steps` steps from where nnviz stands, printing the loss now and then; with `metrics`, '
                'write',
                "    one row per step to that CSV file, in the columns of nnviz train's metrics.csv. Returns the "
                'model."""',
                '    if device == "mps" and DTYPE is torch.float64:',
                '        raise SystemExit("mps has no float64: run on cpu or cuda, or set DTYPE = torch.float32")',
                "    model = Net()",
                "    model.to(device)",
                "    optimizer = make_optimizer(model)",
                "    load_numbers(model, optimizer)",
                "    model.train()",
                "    x, y = (torch.as_tensor(a, dtype=DTYPE, device=device) for a in (X, Y))"]
        if test:
            code.append("    x_test, y_test = (torch.as_tensor(a, dtype=DTYPE, device=device)\n"
                        "                      for a in (X_TEST, Y_TEST))")
        if self.dropout:
            code.append("    dropouts = [m for m in model.modules() if isinstance(m, NumpyDropout)]")
        code += ["    step, seen, rows = STEP, SAMPLES_SEEN, []",
                 "    report = max(1, steps // 10)",
                 "    for i in range(steps):"]
        if full:
            code.append("        xb, yb = x, y")
        else:
            code += ["        batch = torch.as_tensor(batch_rows(seen), device=device)",
                     "        xb, yb = x[batch], y[batch]"]
        if self.dropout:
            code += ["        masks = np.random.default_rng([SEED, 1, step])  # this step's, shared in turn",
                     "        for layer in dropouts:",
                     "            layer.rng = masks"]
        code += ["        lr = learning_rate(step)",
                 "        loss, grad_norm = train_step(model, optimizer, xb, yb, lr)",
                 "        epoch_before = seen // len(X)",
                 "        step, seen = step + 1, seen + len(xb)",
                 "        if not math.isfinite(loss):",
                 '            raise SystemExit(f"training diverged at step {step}: the loss is {loss}")',
                 "        row = [step, seen / len(X), lr, loss, grad_norm]"]
        if test:
            code += ["        if seen // len(X) > epoch_before or i == steps - 1:  # the test loss, as nnviz train",
                     "            model.eval()  # running statistics, no dropout",
                     "            with torch.no_grad():",
                     "                row.append(float(loss_fn(model(x_test), y_test)))",
                     "            model.train()",
                     "        else:",
                     "            row.append(None)"]
        code += ["        rows.append(row)",
                 "        if (i + 1) % report == 0 or i == steps - 1:",
                 '            print(f"step {step}: loss {loss:.6g}")',
                 "    if metrics:",
                 '        with open(metrics, "w", newline="") as f:',
                 '            writer = csv.writer(f, lineterminator="\\n")',
                 "            writer.writerow(COLUMNS)",
                 "            writer.writerows([cell(value) for value in row] for row in rows)",
                 '        print(f"wrote {metrics}")',
                 "    return model", "", "",
                 "def cell(value):",
                 '    """A CSV cell as nnviz writes it: numbers exact, empty for none or NaN."""',
                 '    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else repr(value)']
        if not test:
            code = [line for line in code if "epoch_before" not in line]
        text = "The training loop: from where nnviz stands, step after step, in nnviz's batch order."
        return _Section("Training", text, "\n".join(code))

    # -- the script and the notebook ---------------------------------------------------------------------
    def _header(self) -> tuple[str, str]:
        """The first line (what it does) and the rest of the header (how it was made, what it runs on)."""
        net, run = self.net, self.run
        what = f"{run.title!r} " if run.title else ""
        first = (f"Train the {what}network with PyTorch from where nnviz left it: step {net.optimizer.t}, on "
                 f"{run.data_name}.")
        made = f"Made by nnviz {__version__}" + (f": {self.command}" if self.command else ".")
        runs = (f"Runs on: {self.device}, in {net.dtype_name} (the model's dtype). On the CPU in float64 its per-step "
                "losses equal nnviz's to rounding; a GPU rounds otherwise, and mps has no float64.")
        how = ("It needs numpy and torch, and nothing of nnviz." + (
            f" It reads {', '.join(p.name for p in self.beside)} beside it." if self.beside else ""))
        return first, "\n\n".join([made, runs, how])

    def _imports(self, body: str) -> str:
        """The imports ``body`` uses, sorted as isort sorts them."""
        standard = [("import argparse", "argparse." in body), ("import csv", "csv." in body),
                    ("import math", "math." in body),
                    ("from functools import lru_cache", "@lru_cache" in body),
                    ("from pathlib import Path", "Path(" in body)]
        third = [("import numpy as np", True), ("import torch", True),
                 ("import torch.nn.functional as F", re.search(r"\bF\.", body) is not None),
                 ("from torch import nn", re.search(r"\bnn\.", body) is not None)]
        return "\n".join(line for line, used in standard if used) + "\n\n" + "\n".join(
            line for line, used in third if used)

    def text(self) -> str:
        sections = self.sections()
        blocks = []
        for section in sections:
            banner = f"# -- {section.title} "
            banner += "-" * (WIDTH - len(banner))
            blocks.append(banner + ("\n" + _comment(section.text) if section.text else "") + "\n" + section.code)
        main = ("def main():\n"
                "    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])\n"
                '    parser.add_argument("--steps", type=int, default=STEPS, help=f"steps to take (default {STEPS})")\n'
                '    parser.add_argument("--device", default=DEVICE, choices=["cpu", "cuda", "mps"],\n'
                '                        help=f"where to train (default {DEVICE})")\n'
                '    parser.add_argument("--metrics", metavar="FILE",\n'
                '                        help="write one row per step to FILE (CSV, the columns of nnviz train\'s '
                'metrics.csv)")\n'
                "    args = parser.parse_args()\n"
                "    train(args.steps, args.device, args.metrics)\n\n\n"
                'if __name__ == "__main__":\n'
                "    main()")
        body = "\n\n\n".join(blocks + [main])
        first, rest = self._header()
        usage = (f"    python {self.path.name}                 # {self.steps} steps from step {self.net.optimizer.t}\n"
                 f"    python {self.path.name} --steps 500 --metrics metrics.csv --device cuda")
        doc = '"""' + first + "\n\n" + "\n".join(_paragraphs(rest)) + "\n\n" + usage + '\n"""'
        return doc + "\n\n" + self._imports(body) + "\n\n" + body + "\n"

    def notebook(self) -> str:
        sections = self.sections()
        body = "\n\n\n".join(section.code for section in sections)
        first, rest = self._header()
        rest = rest.replace("Runs on: ", "Runs on (DEVICE in the first cell): ")
        cells = [("markdown", f"# {first}\n\n{rest}"), ("code", self._imports(body))]
        for section in sections:
            cells.append(("markdown", f"## {section.title}" + (f"\n\n{section.text}" if section.text else "")))
            cells.append(("code", section.code))
        cells.append(("markdown", "## Train\n\n`metrics=\"metrics.csv\"` writes one row per step, in the columns of "
                                  "`nnviz train`'s metrics.csv."))
        cells.append(("code", "model = train(STEPS, DEVICE, metrics=None)"))
        notebook = {"cells": [_cell(kind, source, i) for i, (kind, source) in enumerate(cells)], "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"}}, "nbformat": 4, "nbformat_minor": 5}
        return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"


def _paragraphs(text: str) -> list[str]:
    out = []
    for paragraph in text.split("\n\n"):
        if out:
            out.append("")
        out += textwrap.wrap(paragraph, WIDTH)
    return out


def _cell(kind: str, source: str, number: int) -> dict:
    lines = source.splitlines(keepends=True)
    cell = {"cell_type": kind, "id": f"cell-{number}", "metadata": {}, "source": lines}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def _csv(columns: list[str], X: np.ndarray, y: np.ndarray) -> str:
    """Rows as CSV text: a header, then each row's inputs and targets as exact numbers."""
    lines = [",".join(columns)]
    lines += [",".join(_number(v) for v in row) for row in np.hstack([X, y])]
    return "\n".join(lines) + "\n"


def _npz(numbers: dict, state: dict) -> bytes:
    arrays = {key: np.asarray(array) for key, (_, array) in numbers.items()}
    for key, terms in state.items():
        arrays.update({f"state/{key}/{term}": np.asarray(array) for term, array in terms.items()})
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()
