"""The layering rules: the core never imports Qt, its modules import each other without cycles,
the import-linter contracts hold, and nothing unpickles or evaluates user input."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import nnviz

CORE = Path(nnviz.__file__).parent / "core"
REPO = Path(nnviz.__file__).parents[1]
QT_MODULES = ("PySide6", "PyQt5", "PyQt6", "pyqtgraph", "shiboken6")


def test_core_sources_import_no_qt():
    offenders = []
    for path in CORE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in QT_MODULES]
    assert not offenders


def test_core_runs_with_qt_unimportable():
    """Import every core module and train a step with Qt blocked, as on a machine without it."""
    code = f"""
import sys, importlib.abc, pkgutil, importlib
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in {QT_MODULES!r}:
            raise ImportError('blocked: ' + name)
sys.meta_path.insert(0, Block())
import nnviz.core
for m in pkgutil.iter_modules(nnviz.core.__path__):
    importlib.import_module('nnviz.core.' + m.name)
from nnviz.core import load_model, Trainer
net = load_model({{"format": "nnviz.model/1", "inputs": 2, "layers": [{{"type": "dense", "units": 1}}]}})
Trainer(net, [[0.0, 1.0]], [[1.0]]).step()
assert not any(k.split('.')[0] in {QT_MODULES!r} for k in sys.modules)
print('ok')
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=Path(nnviz.__file__).parents[1])
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def modules_imported(code: str) -> set[str]:
    """The top-level packages in ``sys.modules`` after running ``code`` in a fresh interpreter."""
    code += "\nimport sys; print(' '.join(sorted({name.split('.')[0] for name in sys.modules})))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 0, result.stderr
    return set(result.stdout.split())


TRAIN_A_STEP = """
from nnviz.core import Trainer, load_model
net = load_model({{"format": "nnviz.model/1", "inputs": 2, "loss": "bce",
                  "layers": [{{"type": "dense", "units": 3, "activation": "{hidden}"}},
                             {{"type": "dense", "units": 1, "activation": "sigmoid"}}]}})
Trainer(net, [[0.0, 1.0], [1.0, 0.0]], [[1.0], [0.0]]).step()
"""


def test_start_up_and_training_leave_scipy_out():
    """SciPy's import took a third of a second of start-up: the core and the main window do
    without it, and so does training anything but exact GELU (which takes erf from SciPy)."""
    assert "scipy" not in modules_imported("import nnviz.core")
    assert "scipy" not in modules_imported("import nnviz.gui.main_window")
    assert "scipy" not in modules_imported(TRAIN_A_STEP.format(hidden="swish"))
    assert "scipy" in modules_imported(TRAIN_A_STEP.format(hidden="gelu"))  # the test sees an import


#: the one module that pickles: what the app's training process and its window say to each other
#: (a replica of the experiment, the state in force), over a pipe between the app's own two processes,
#: never anything read from a file or given by a user
PICKLES_BETWEEN_OWN_PROCESSES = "training_process.py"


def test_no_pickle_or_eval_anywhere_in_the_package():
    banned = {"eval", "exec", "pickle", "marshal", "shelve"}
    found = []
    for path in Path(nnviz.__file__).parent.rglob("*.py"):
        allowed = {"pickle"} if path.name == PICKLES_BETWEEN_OWN_PROCESSES else set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Name) and node.id in banned - allowed:
                found.append(f"{path.name}:{node.lineno} {node.id}")
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                mods = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                found += [f"{path.name}:{node.lineno} import {m}" for m in mods if m.split(".")[0] in banned - allowed]
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "load" and \
                    getattr(getattr(node.func, "value", None), "id", "") == "np":
                found.append(f"{path.name}:{node.lineno} np.load (may unpickle)")
    assert not found


def test_the_training_process_unpickles_only_what_comes_over_its_pipe():
    source = (Path(nnviz.__file__).parent / PICKLES_BETWEEN_OWN_PROCESSES).read_text(encoding="utf-8")
    assert "open(" not in source and "read_bytes" not in source and "read_text" not in source


def core_import_graph() -> dict[str, set[str]]:
    """Core module -> the core modules it imports, anywhere in it (inside functions too)."""
    modules = {path.stem for path in CORE.glob("*.py") if path.stem != "__init__"}
    graph = {}
    for name in modules:
        imported = set()
        for node in ast.walk(ast.parse((CORE / f"{name}.py").read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                targets = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            else:
                continue
            imported |= {t.split(".")[2] for t in targets if t.startswith("nnviz.core.") and t.count(".") >= 2}
        graph[name] = (imported & modules) - {name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A list of modules that import each other in a circle (first repeated last), or None."""
    done, path = set(), []

    def visit(node):
        if node in path:
            return path[path.index(node):] + [node]
        if node in done:
            return None
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            cycle = visit(nxt)
            if cycle:
                return cycle
        path.pop()
        done.add(node)
        return None

    for node in sorted(graph):
        cycle = visit(node)
        if cycle:
            return cycle
    return None


def test_cycle_finder_finds_a_lazy_import_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_core_is_acyclic():
    graph = core_import_graph()
    assert "document" not in graph["network"] and "data" in graph["trainer"]  # the graph is read right
    assert find_cycle(graph) is None


def test_import_contracts_hold():
    """The import-linter contracts in pyproject.toml: core apart from Qt and the GUI, panels apart
    from the main window, the core acyclic."""
    code = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_ruff_finds_nothing():
    """The lint rules configured in pyproject.toml hold over the whole tree."""
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "concise", "."],
                            capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr
