"""The layering rules: the core never imports Qt, and never unpickles or evaluates user input."""

import ast
import subprocess
import sys
from pathlib import Path

import nnviz

CORE = Path(nnviz.__file__).parent / "core"
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


def test_no_pickle_or_eval_anywhere_in_the_package():
    banned = {"eval", "exec", "pickle", "marshal", "shelve"}
    found = []
    for path in Path(nnviz.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Name) and node.id in banned:
                found.append(f"{path.name}:{node.lineno} {node.id}")
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                mods = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                found += [f"{path.name}:{node.lineno} import {m}" for m in mods if m.split(".")[0] in banned]
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "load" and \
                    getattr(getattr(node.func, "value", None), "id", "") == "np":
                found.append(f"{path.name}:{node.lineno} np.load (may unpickle)")
    assert not found
