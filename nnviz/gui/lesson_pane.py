"""The lesson pane: a lesson's steps one at a time (Back, Next, step k of n) and an exercise's goal,
constraints, progress and hints, judged live as the run trains.

The pane shows; the window acts: ``step_changed(int)`` asks the window to apply a step's panels and
step-through, ``solved(object)`` says the exercise was solved (a :class:`~nnviz.core.lessons.Verdict`).
Texts are picked in the reader's language (:func:`~nnviz.core.lessons.localized`, from the
application's locale) and their inline maths (``$…$``) goes through :func:`inline_maths`, the one
place that renders it.

``python -m nnviz.gui.lesson_pane [KEY]`` shows the pane alone on a shipped lesson or exercise.
"""

from __future__ import annotations

import html
import re

from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import Qt, Signal

from nnviz.core.exercises import Verdict, check_exercise
from nnviz.core.lessons import Exercise, Lesson, document_text, localized, read_exercise, read_lesson, split_maths
from nnviz.gui import maths as typeset_maths
from nnviz.gui.accessibility import name_controls
from nnviz.gui.i18n import current_language, tr, tr_phrase
from nnviz.gui.style import is_dark, muted_text, on_window, palette_style

SOLVED = "#2e7d32"
BROKEN = "#c62828"

# -- inline maths ------------------------------------------------------------------------------------
#: LaTeX's binary operators and relations: written with a space either side
_OPERATORS = {"cdot": "·", "times": "×", "to": "→", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "approx": "≈",
              "in": "∈", "neq": "≠", "pm": "±", "odot": "⊙"}
#: accents, put over the character after them (ŷ)
_ACCENTS = {"hat": "\u0302", "bar": "\u0304", "tilde": "\u0303", "vec": "\u20d7", "dot": "\u0307"}
#: symbols written against what follows them
_PREFIXES = {"partial", "nabla"}
#: LaTeX commands written as the characters they stand for (the stand-in for typeset maths)
_SYMBOLS = {
    "cdot": "·", "times": "×", "sigma": "σ", "eta": "η", "partial": "∂", "sum": "Σ", "ldots": "…", "dots": "…",
    "to": "→", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "approx": "≈", "infty": "∞", "delta": "δ",
    "alpha": "α", "beta": "β", "gamma": "γ", "lambda": "λ", "theta": "θ", "mu": "μ", "pi": "π", "nabla": "∇",
    "ln": "ln", "log": "log", "exp": "exp", "max": "max", "min": "min", "tanh": "tanh", "quad": "  ",
    ",": " ", ";": " ", "!": "", "in": "∈", "neq": "≠", "pm": "±", "odot": "⊙", "hat": "", "mathrm": "",
    "text": "", "left": "", "right": "",
}


def _group(text: str, i: int) -> tuple[str, int]:
    """The argument at ``text[i]``: a ``{…}`` group or one character; (argument, index after it)."""
    if i >= len(text):
        return "", i
    if text[i] != "{":
        if text[i] == "\\":
            match = re.match(r"\\([A-Za-z]+|.)", text[i:])
            return match.group(0), i + len(match.group(0))
        return text[i], i + 1
    depth = 0
    for j in range(i, len(text)):
        depth += {"{": 1, "}": -1}.get(text[j], 0)
        if depth == 0:
            return text[i + 1:j], j + 1
    return text[i + 1:], len(text)


def _latex_html(latex: str) -> str:
    """A little LaTeX as HTML text: symbols as characters, ``_`` and ``^`` as sub- and superscripts,
    ``\\frac{a}{b}`` as a/b."""
    out, i = [], 0
    while i < len(latex):
        c = latex[i]
        if c == "\\":
            match = re.match(r"\\([A-Za-z]+|.)", latex[i:])
            name = match.group(1)
            i += len(match.group(0))
            if name in ("frac", "tfrac", "dfrac"):
                top, i = _group(latex, i)
                bottom, i = _group(latex, i)
                if (top, bottom) == ("1", "2"):
                    out.append("½")
                    continue
                wrap = lambda s: _latex_html(s) if len(s) <= 2 or s.isalnum() else f"({_latex_html(s)})"  # noqa: E731
                out.append(f"{wrap(top)}/{wrap(bottom)}")
            elif name in ("sqrt",):
                inner, i = _group(latex, i)
                out.append(f"√({_latex_html(inner)})")
            elif name in _ACCENTS:
                while i < len(latex) and latex[i] == " ":  # \hat y: the accent's argument after the space
                    i += 1
                inner, i = _group(latex, i)
                out.append(f"{_latex_html(inner)}{_ACCENTS[name]}")
            elif name in _OPERATORS:
                out.append(f" {_OPERATORS[name]} ")
            else:
                out.append(html.escape(_SYMBOLS.get(name, name)))
            if name in _PREFIXES:  # ∂E, ∇L: the space after the command is LaTeX's, not the text's
                while i < len(latex) and latex[i] == " ":
                    i += 1
        elif c in "_^":
            arg, i = _group(latex, i + 1)
            tag = "sub" if c == "_" else "sup"
            out.append(f"<{tag}>{_latex_html(arg)}</{tag}>")
        elif c in "{}":
            i += 1
        else:
            out.append(html.escape(c))
            i += 1
    return re.sub(r" {2,}", " ", "".join(out))


def plain_maths(latex: str) -> str:
    """Inline maths as HTML text: symbols, sub- and superscripts (what stands in for a formula that
    cannot be typeset)."""
    return f"<span style='font-family: serif;'>{_latex_html(latex)}</span>"


def maths_size(font: QtGui.QFont | None = None) -> float:
    """The size in pixels of maths within text of ``font`` (by default the application's)."""
    return round(QtGui.QFontInfo(font if font is not None else QtGui.QGuiApplication.font()).pixelSize() * 1.1, 1)


def inline_maths(latex: str, size: float | None = None) -> str:
    """Inline maths (the text between ``$`` signs) as HTML, the one place it is rendered: typeset
    (:func:`nnviz.gui.maths.inline_html`, ``size`` pixels, in the palette's text colour), or, if it
    cannot be, as :func:`plain_maths`."""
    size = maths_size() if size is None else size
    plain = re.sub(r"<[^>]+>", "", _latex_html(latex))
    picture = typeset_maths.picture_html(latex, plain, size, inline=True)
    return plain_maths(latex) if picture is None else picture


def text_html(text: str, size: float | None = None) -> str:
    """A lesson text as HTML: the plain parts escaped, the maths through :func:`inline_maths`."""
    return "".join(inline_maths(piece, size) if maths else html.escape(piece) for maths, piece in split_maths(text))


# -- the pane ----------------------------------------------------------------------------------------
class LessonPane(QtWidgets.QWidget):
    """A lesson's steps and an exercise's goal, shown beside the network (see the module docstring)."""

    step_changed = Signal(int)
    solved = Signal(object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.lesson: Lesson | None = None
        self.exercise: Exercise | None = None
        self.document: dict | None = None  # the document as opened: the exercise's starting state
        self.start: dict | None = None  # the starting document as the run took it (fitted to its data)
        self.start_data = None
        self.locale = current_language()  # View › Language's (the window sets it on a switch)
        self.index = 0
        self.hints_shown = 0
        self.verdict: Verdict | None = None
        self.solved_verdict: Verdict | None = None  # the moment it was solved (kept once it was)
        self._state: dict | None = None
        self._history = None
        self._exercise_html = ""
        self.note = ""  # names the lesson gives that this window does not know, in one line

        self.name_label = QtWidgets.QLabel()
        self.name_label.setWordWrap(True)
        font = self.name_label.font()
        font.setBold(True)
        self.name_label.setFont(font)
        self.counter_label = QtWidgets.QLabel()
        palette_style(self.counter_label, lambda: f"color: {muted_text().name()};")
        self.step_view = QtWidgets.QTextBrowser()
        self.step_view.setAccessibleName(tr("Lesson step"))
        self.step_view.setOpenExternalLinks(True)
        # read, not typed in: Page Down/Up and the arrows stay the lesson's (and training's) keys
        self.step_view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.back_button = QtWidgets.QPushButton(tr("Back"))
        self.back_button.setToolTip(tr("The step before (Page Up)"))
        self.next_button = QtWidgets.QPushButton(tr("Next step"))
        self.next_button.setToolTip(tr("The next step (Page Down)"))
        self.back_button.clicked.connect(self.back)
        self.next_button.clicked.connect(self.next)
        steps_row = QtWidgets.QHBoxLayout()
        steps_row.addWidget(self.back_button)
        steps_row.addWidget(self.counter_label, 1, Qt.AlignmentFlag.AlignCenter)
        steps_row.addWidget(self.next_button)
        self.steps_box = QtWidgets.QWidget()
        steps = QtWidgets.QVBoxLayout(self.steps_box)
        steps.setContentsMargins(0, 0, 0, 0)
        steps.addWidget(self.step_view, 1)
        steps.addLayout(steps_row)

        self.exercise_view = QtWidgets.QTextBrowser()
        self.exercise_view.setAccessibleName(tr("Exercise"))
        self.exercise_view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.solved_label = QtWidgets.QLabel()
        self.solved_label.setObjectName("solved_banner")
        self.solved_label.setWordWrap(True)
        self.solved_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.solved_label.hide()
        palette_style(self.solved_label, lambda: (
            f"QLabel#solved_banner {{ background: {'#1b3d1f' if is_dark() else '#e3f2e5'}; "
            f"color: {on_window(SOLVED)}; border: 2px solid {SOLVED}; border-radius: 6px; padding: 8px; "
            f"font-weight: bold; font-size: 130%; }}"))
        self.hint_button = QtWidgets.QPushButton(tr("Hint"))
        self.hint_button.setToolTip(tr("Show the next hint, one at a time"))
        self.hint_button.clicked.connect(self.reveal_hint)
        self.hint_label = QtWidgets.QLabel()
        palette_style(self.hint_label, lambda: f"color: {muted_text().name()};")
        hint_row = QtWidgets.QHBoxLayout()
        hint_row.addWidget(self.hint_button)
        hint_row.addWidget(self.hint_label, 1)
        self.exercise_box = QtWidgets.QWidget()
        exercise = QtWidgets.QVBoxLayout(self.exercise_box)
        exercise.setContentsMargins(0, 0, 0, 0)
        exercise.addWidget(self.solved_label)
        exercise.addWidget(self.exercise_view, 1)
        exercise.addLayout(hint_row)

        self.note_label = QtWidgets.QLabel()
        self.note_label.setWordWrap(True)
        palette_style(self.note_label, lambda: f"color: {on_window('#8a5a00')};")
        self.note_label.hide()

        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.name_label)
        layout.addWidget(self.steps_box, 3)
        layout.addWidget(self.exercise_box, 2)
        layout.addWidget(self.note_label)
        self.setMinimumWidth(260)
        name_controls(self)
        self._render()

    # -- what is shown -------------------------------------------------------------------------------
    def open(self, document: dict | None, locale: str | None = None) -> bool:
        """Show the lesson and the exercise of ``document`` (a validated model document); False (and
        nothing shown) when it has neither."""
        self.lesson = read_lesson(document) if document else None
        self.exercise = read_exercise(document) if document else None
        self.document = document if (self.lesson or self.exercise) else None
        if locale is not None:
            self.locale = locale
        self.start, self.start_data = None, None
        self.index, self.hints_shown = 0, 0
        self.verdict = self.solved_verdict = None
        self._history = None
        self.set_note("")
        self.show_name()
        self.steps_box.setVisible(self.lesson is not None)
        self.exercise_box.setVisible(self.exercise is not None)
        # an exercise's one short step leaves room to its goal, hints and progress
        layout = self.layout()
        one_step = self.lesson is not None and len(self.lesson.steps) == 1
        layout.setStretchFactor(self.steps_box, 0 if one_step and self.exercise is not None else 3)
        layout.setStretchFactor(self.exercise_box, 3)
        for widget in (self.back_button, self.counter_label, self.next_button):
            widget.setVisible(not one_step)  # one step: nothing to step through
        self._render()
        return self.document is not None

    def close_lesson(self) -> None:
        """Show nothing (a model with neither lesson nor exercise)."""
        self.open(None)

    def set_note(self, note: str) -> None:
        """A line under the pane (the names the window does not know)."""
        self.note = note
        self.note_label.setText(note)
        self.note_label.setVisible(bool(note))

    @property
    def step_count(self) -> int:
        return len(self.lesson.steps) if self.lesson else 0

    def show_step(self, index: int) -> None:
        """Show step ``index`` (clamped to the lesson's) and ask the window to apply it."""
        if not self.lesson:
            return
        self.index = max(0, min(index, self.step_count - 1))
        self._render()
        self.step_changed.emit(self.index)

    def next(self) -> None:
        self.show_step(self.index + 1)

    def back(self) -> None:
        self.show_step(self.index - 1)

    def reveal_hint(self) -> None:
        """Show one more hint of the exercise, if it has one left."""
        if self.exercise and self.hints_shown < len(self.exercise.hints):
            self.hints_shown += 1
            self._render_exercise(scroll=True)

    # -- the run ---------------------------------------------------------------------------------------
    def set_state(self, state: dict) -> None:
        """The state in force (``document``, ``data``): the first one with the exercise opened is its
        starting state as the run took it."""
        self._state = state
        if self.exercise is not None and self.start is None \
                and state["document"].get("exercise") == self.document.get("exercise"):
            self.start, self.start_data = state["document"], state["data"]
        self._judge()

    def show_snapshot(self, snapshot) -> None:
        """Judge the run as the snapshot shows it (its evaluation history)."""
        self._history = snapshot.history
        self._judge()

    def _judge(self) -> None:
        if self.exercise is None or self.start is None or self._state is None or self._history is None:
            return
        verdict = check_exercise(self.exercise, self.start, self._state["document"], self._state["data"],
                                 self._history, self.start_data)
        newly = verdict.solved and self.solved_verdict is None
        if newly:
            self.solved_verdict = verdict
        if verdict != self.verdict or newly:
            self.verdict = verdict
            self._render_exercise(scroll=newly)
        if newly:
            self.solved.emit(verdict)

    # -- drawing ---------------------------------------------------------------------------------------
    def _t(self, text) -> str:
        return localized(text, self.locale)

    def _text_html(self, text) -> str:
        """A lesson text in the reader's language as HTML, its maths typeset to the pane's font."""
        return text_html(self._t(text), maths_size(self.step_view.font()))

    def show_name(self) -> None:
        """The open document's name over its steps, in the reader's language."""
        self.name_label.setText(document_text(self.document, "name", self.locale))

    def _render(self) -> None:
        self._render_step()
        self._render_exercise()

    def _render_step(self) -> None:
        if not self.lesson:
            self.step_view.setHtml("")
            self.counter_label.setText("")
            return
        step = self.lesson.steps[self.index]
        parts = [f"<h3>{self._text_html(step.title)}</h3>", f"<p>{self._text_html(step.text)}</p>"]
        for label, text in ((tr("Do:"), step.do), (tr("Watch:"), step.watch)):
            if text is not None:
                parts.append(f"<p><b>{label}</b> {self._text_html(text)}</p>")
        self.step_view.setHtml("".join(parts))
        self._fit_step_view()
        self.counter_label.setText(tr("Step {step} of {count}").format(step=self.index + 1, count=self.step_count))
        self.back_button.setEnabled(self.index > 0)
        self.next_button.setEnabled(self.index < self.step_count - 1)

    def _render_exercise(self, scroll: bool = False) -> None:
        """The exercise as it stands; ``scroll``: to its end (a hint or the solution just shown), else
        where the reader left it."""
        ex = self.exercise
        if ex is None:
            self.exercise_view.setHtml("")
            self._exercise_html = ""
            return
        verdict = self.verdict
        good, bad = on_window(SOLVED), on_window(BROKEN)
        exercise, goal = tr("Exercise:"), tr("Goal:")
        parts = [f"<p><b>{exercise}</b> {self._text_html(ex.task)}</p>",
                 f"<p><b>{goal}</b> {html.escape(tr_phrase(ex.goal.describe()))}</p>"]
        lines = ex.constraint_lines()
        if lines:
            broken = list(verdict.broken) if verdict is not None else []
            constraints, broken_label, kept = tr("Constraints:"), tr("Broken:"), tr("Every constraint is kept")
            joined = tr_phrase(lines[0])
            for line in lines[1:]:
                joined = tr("{constraints}; {constraint}").format(constraints=joined, constraint=tr_phrase(line))
            parts.append(f"<p><b>{constraints}</b> {html.escape(joined)}</p>")
            if broken:
                parts.append("".join(f"<p style='color: {bad};'>✗ {broken_label} {html.escape(tr_phrase(b))}</p>"
                                     for b in broken))
            elif verdict is not None:
                parts.append(f"<p style='color: {good};'>✓ {kept}</p>")
        if verdict is not None:
            now = tr("Now:")
            parts.append(f"<p><b>{now}</b> {html.escape(tr_phrase(verdict.progress()))}</p>")
            if verdict.out_of_steps and self.solved_verdict is None:
                past = tr("Past {steps} steps without reaching the goal: change something, press Reset and "
                          "train again.").format(steps=f"{ex.goal.within:,}")
                parts.append(f"<p style='color: {bad};'>{past}</p>")
        for i in range(self.hints_shown):
            hint = tr("Hint {number}:").format(number=i + 1)
            parts.append(f"<p><b>{hint}</b> {self._text_html(ex.hints[i])}</p>")
        if self.solved_verdict is not None and ex.solution is not None:
            why = tr("Why it works:")
            parts.append(f"<p><b>{why}</b> {self._text_html(ex.solution)}</p>")
        text = "".join(parts)
        if text != self._exercise_html:
            self._exercise_html = text
            bar = self.exercise_view.verticalScrollBar()
            kept = bar.value()
            self.exercise_view.setHtml(text)
            bar.setValue(bar.maximum() if scroll else kept)
        total = len(ex.hints)
        self.hint_button.setEnabled(self.hints_shown < total)
        self.hint_button.setVisible(total > 0)
        self.hint_label.setText(tr("{shown} of {total} hints shown").format(shown=self.hints_shown, total=total)
                                if total else "")
        solved = self.solved_verdict
        if solved is not None:
            text = (tr("Solved in {steps} step: {goal} reached") if solved.steps == 1
                    else tr("Solved in {steps} steps: {goal} reached"))
            self.solved_label.setText(text.format(
                steps=f"{solved.steps:,}", goal=html.escape(tr_phrase(ex.goal.target()))))
        self.solved_label.setVisible(solved is not None)

    def _fit_step_view(self) -> None:
        """An exercise's one step takes the height of its text, and leaves the rest to the exercise;
        a lesson's steps share the pane with it."""
        view = self.step_view
        if self.exercise is None or self.lesson is None or len(self.lesson.steps) > 1:
            view.setMaximumHeight(16777215)  # QWIDGETSIZE_MAX
            return
        document = view.document()
        document.setTextWidth(view.viewport().width())
        view.setMaximumHeight(int(document.size().height()) + 2 * view.frameWidth() + 4)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._fit_step_view()

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().changeEvent(event)
        if event.type() == QtCore.QEvent.Type.PaletteChange:
            self._render()  # the marks' colours read on the new window colour
        elif event.type() == QtCore.QEvent.Type.FontChange:
            self._render()  # the maths typeset at the new size
            self._fit_step_view()


def main() -> None:  # pragma: no cover - a quick look by hand
    """Show the pane alone on a shipped lesson or exercise (``python -m nnviz.gui.lesson_pane KEY``)."""
    import sys

    from nnviz.core.examples import load_example

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv)
    pane = LessonPane()
    pane.open(load_example(sys.argv[1] if len(sys.argv) > 1 else "mazur-backprop"))
    pane.resize(420, 640)
    pane.show()
    sys.exit(app.exec())


if __name__ == "__main__":  # pragma: no cover
    main()
