"""Step-through panel: move through one training step operation by operation.

The session's worker traces the step the network would take next (on a copy) and sends a
:class:`~nnviz.gui.session.WalkState`; this panel moves through its operations — Next, Previous,
Home, End, a slider and a progress strip coloured by phase — and shows each in the Calculation panel.
Next on the last operation takes the step for real and starts on the next one. In quiz mode the
learner types each result before it is revealed.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import Qt, Signal

from nnviz.core.walkthrough import check_answer
from nnviz.gui.i18n import tr, tr_phrase
from nnviz.gui.panels.calculation import PHASE_COLORS, PHASE_NAMES, CalculationPanel
from nnviz.gui.style import BACKWARD, FORWARD, on_window, palette_style

BATCH = -1  # the sample selector's value for "the whole batch"
#: seconds drawing an operation may spend typesetting (about two frames): the window stays responsive
#: and the formulas not typeset by then show as text for a moment, typeset in the idle time after
DRAW_BUDGET = 0.03


class ProgressStrip(QtWidgets.QWidget):
    """One coloured segment per operation (forward, loss, backward, update); click or drag to jump."""

    jumped = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.phases: list[str] = []
        self.current = 0
        self.setMinimumHeight(18)
        self.setMaximumHeight(18)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(tr("Where you are in the step: forward (green), loss (brown), backward (red), "
                           "update (purple). Click or drag to jump."))

    def set_operations(self, phases: list[str], current: int) -> None:
        self.phases, self.current = list(phases), current
        self.update()

    def index_at(self, x: float) -> int:
        if not self.phases:
            return 0
        return max(0, min(len(self.phases) - 1, int(x / max(self.width(), 1) * len(self.phases))))

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        painter = QtGui.QPainter(self)
        n = len(self.phases)
        if not n:
            return
        w, h = self.width(), self.height()
        for i, phase in enumerate(self.phases):
            x0, x1 = round(i * w / n), round((i + 1) * w / n)
            colour = QtGui.QColor(PHASE_COLORS.get(phase, "#999"))
            if i > self.current:
                colour.setAlpha(70)
            painter.fillRect(QtCore.QRect(x0, 3, max(x1 - x0 - 1, 1), h - 6), colour)
        x0, x1 = round(self.current * w / n), round((self.current + 1) * w / n)
        painter.setPen(QtGui.QPen(QtGui.QColor("#212121"), 2))
        painter.drawRect(QtCore.QRect(x0, 1, max(x1 - x0 - 1, 2), h - 2))
        painter.end()

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self.jumped.emit(self.index_at(event.position().x()))

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if event.buttons() & Qt.MouseButton.LeftButton:
            self.jumped.emit(self.index_at(event.position().x()))


class StepperPanel(QtWidgets.QWidget):
    """Moves through a walkthrough. Signals: ``operation_changed(Calculation | None)`` (the graph
    highlights it), ``commit_requested()`` (take the step), ``neurons_changed(bool)``,
    ``edit_requested(Edit, float)``."""

    operation_changed = Signal(object)
    commit_requested = Signal()
    neurons_changed = Signal(bool)
    edit_requested = Signal(object, float)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.state = None  # the WalkState shown
        self.index = 0
        self.sample: int | None = 0
        self.revealed: set[tuple] = set()  # the operations answered (see _op_key)
        self.score = [0, 0]  # right, asked
        self._committing = False

        style = self.style()
        self.home_button = self._button(tr("Start"), QtWidgets.QStyle.StandardPixmap.SP_MediaSkipBackward,
                                        tr("Go to the first operation (Home)"), self.home)
        self.prev_button = self._button(tr("Previous"), QtWidgets.QStyle.StandardPixmap.SP_MediaSeekBackward,
                                        tr("The operation before (Left arrow)"), self.previous)
        self.next_button = self._button(tr("Next"), QtWidgets.QStyle.StandardPixmap.SP_MediaSeekForward,
                                        tr("The next operation (Right arrow); at the end, take the step"), self.next)
        self.end_button = self._button(tr("End"), QtWidgets.QStyle.StandardPixmap.SP_MediaSkipForward,
                                       tr("Go to the last operation (End)"), self.end)
        del style
        self.slider = QtWidgets.QSlider(Qt.Orientation.Horizontal)
        self.slider.setToolTip(tr("Scrub through the operations of this step"))
        self.slider.setAccessibleName(tr("Operation"))  # no label of its own: named after what it moves through
        self.slider.valueChanged.connect(self._on_slider)
        self.strip = ProgressStrip()
        self.strip.jumped.connect(self.go)
        self.position = QtWidgets.QLabel("")
        self.position.setMinimumWidth(190)
        self.sample_box = QtWidgets.QComboBox()
        self.sample_box.setToolTip(tr("Which sample of the batch the numbers are for, or the whole batch "
                                      "(means, with one table row per sample)"))
        self.sample_box.activated.connect(self._on_sample_chosen)
        self.sample_box.setAccessibleName(tr("Sample"))
        self.sample_box.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.sample_box.setMinimumContentsLength(14)
        self.neurons = QtWidgets.QCheckBox(tr("Neuron by neuron"))
        self.neurons.setToolTip(tr("Step through each unit of a layer separately, with its row highlighted"))
        self.neurons.toggled.connect(self.neurons_changed)
        self.quiz = QtWidgets.QCheckBox(tr("Quiz"))
        self.quiz.setToolTip(tr("Predict each result before it is shown: type it, press Enter"))
        self.quiz.toggled.connect(self._on_quiz_toggled)

        self.calculation = CalculationPanel(draw_budget=DRAW_BUDGET)
        self.calculation.edit_requested.connect(self.edit_requested)
        self.calculation.precision_changed.connect(lambda _: self.operation_changed.emit(self.current()))

        self.answer_label = QtWidgets.QLabel(tr("Your answer:"))
        self.answer = QtWidgets.QLineEdit()
        self.answer_label.setBuddy(self.answer)
        self.answer.setPlaceholderText(tr("type the value (several: separate with commas), then Enter"))
        self.answer.returnPressed.connect(self.check)
        self.check_button = QtWidgets.QPushButton(tr("Check"))
        self.check_button.clicked.connect(self.check)
        self.reveal_button = QtWidgets.QPushButton(tr("Show me"))
        self.reveal_button.setToolTip(tr("Reveal the result without answering"))
        self.reveal_button.clicked.connect(self.reveal)
        self.feedback = QtWidgets.QLabel("")
        self._feedback_kind = "retry"
        palette_style(self.feedback, self._feedback_style)  # kept readable when the palette changes
        self.score_label = QtWidgets.QLabel("")
        self.quiz_row = QtWidgets.QWidget()
        quiz_layout = QtWidgets.QHBoxLayout(self.quiz_row)
        quiz_layout.setContentsMargins(0, 0, 0, 0)
        for w in (self.answer_label, self.answer, self.check_button, self.reveal_button, self.feedback):
            quiz_layout.addWidget(w, 1 if w is self.answer else 0)
        quiz_layout.addStretch(1)
        quiz_layout.addWidget(self.score_label)
        self.quiz_row.hide()

        self.lesson = QtWidgets.QLabel("")
        self.lesson.setWordWrap(True)
        self.lesson.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.lesson.setStyleSheet("background: #f5f5f5; border-radius: 4px; padding: 3px 6px; color: #424242;")
        self.lesson.hide()

        bar = QtWidgets.QHBoxLayout()
        for w in (self.home_button, self.prev_button, self.next_button, self.end_button):
            bar.addWidget(w)
        bar.addWidget(self.position)
        bar.addWidget(self.slider, 1)
        bar.addWidget(self.sample_box)
        bar.addWidget(self.neurons)
        bar.addWidget(self.quiz)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(3)
        layout.addWidget(self.lesson)
        layout.addLayout(bar)
        layout.addWidget(self.strip)
        layout.addWidget(self.quiz_row)
        layout.addWidget(self.calculation, 1)
        self._update_controls()

    def _button(self, text, pixmap, tip, slot) -> QtWidgets.QToolButton:
        button = QtWidgets.QToolButton()
        button.setText(text)
        button.setIcon(self.style().standardIcon(pixmap))
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        button.setToolTip(tip)
        button.clicked.connect(slot)
        return button

    # -- public API -------------------------------------------------------------------------------
    @property
    def walkthrough(self):
        return None if self.state is None else self.state.walkthrough

    def show_walk(self, state) -> None:
        """Show a new walkthrough. After a step (``state.committed``) start at its first operation;
        after an edit stay at the same operation; the same state again (the window's language
        changed) is drawn again where it was."""
        previous = self.walkthrough
        again = state is self.state and not self._committing
        self.state = state
        walk = self.walkthrough
        if walk is None:
            self.calculation.show_calculation(None)
            self.operation_changed.emit(None)
            self._update_controls()
            return
        if (state.committed or self._committing or previous is None) and not again:
            self.index = 0
            self.revealed.clear()
        elif len(walk) != len(previous):  # neuron by neuron on or off: stay on the same operation
            self.index = _matching(previous.operations[self.index], walk.operations)
            self.revealed = _translate_revealed(self.revealed, previous, walk)
        self._committing = False
        self.index = min(self.index, len(walk) - 1)
        self._fill_samples(walk)
        if self.neurons.isChecked() and not walk.neurons:  # too many units to step one by one
            self.neurons.blockSignals(True)
            self.neurons.setChecked(False)
            self.neurons.blockSignals(False)
            self.neurons.setToolTip(tr("This step has too many units to take one by one (over 2,000 operations); "
                                       "it is shown layer by layer"))
        self._show()

    def set_lesson(self, name: str, description: str) -> None:
        """Show a lesson's name and what to look for above the stepper (nothing: hide it)."""
        import html

        self.lesson.setText(f"<b>{html.escape(tr(name))}</b> — {html.escape(tr(description))}" if description else "")
        self.lesson.setVisible(bool(description))

    def go(self, index: int) -> None:
        walk = self.walkthrough
        if walk is None or self._committing:
            return
        index = max(0, min(len(walk) - 1, int(index)))
        if self.quiz.isChecked() and index > self.index:
            # moving on past an unanswered result reveals it; jumping ahead skips the quiz for those
            self.revealed.update(_op_key(walk.operations[k], self.sample) for k in range(self.index, index))
        self.index = index
        self._show()

    def next(self) -> None:
        walk = self.walkthrough
        if walk is None:
            return
        if self._committing:  # the step is being taken: one step per click, however many clicks
            return
        if self._hidden():
            self.reveal()
            return
        if self.index >= len(walk) - 1:
            self._committing = True
            self._update_controls()
            self.commit_requested.emit()
            return
        self.index += 1
        self._show()

    def previous(self) -> None:
        if self.walkthrough is not None and self.index > 0 and not self._committing:
            self.index -= 1
            self._show()

    def home(self) -> None:
        self.go(0)

    def end(self) -> None:
        if self.walkthrough is not None:
            self.go(len(self.walkthrough) - 1)

    def set_sample(self, sample: int | None) -> None:
        """Show the numbers of batch sample ``sample`` (None: the whole batch)."""
        self.sample = sample
        value = BATCH if sample is None else sample
        i = self.sample_box.findData(value)
        if i >= 0:
            self.sample_box.setCurrentIndex(i)
        self._show()

    def current(self):
        """The Calculation shown, or None."""
        return self.calculation.calculation

    def _feedback_style(self) -> str:
        """The feedback line's colours: green for a right answer, red otherwise, read on the window."""
        colour = on_window(FORWARD if self._feedback_kind == "right" else BACKWARD)
        return f"color: {colour};" + (" font-weight: 600;" if self._feedback_kind != "retry" else "")

    def check(self) -> None:
        """Check the typed answer against the current result; reveal it either way."""
        calc = self.current()
        if calc is None or not self._hidden():
            return
        right, message = check_answer(self.answer.text(), calc.answer, self.calculation.precision)
        if not right and message.startswith(("Type", "'")):
            self._feedback_kind = "retry"  # not an answer yet: let the learner type again
            self.feedback.setText(tr_phrase(message))  # the core's sentence
            self.feedback.setStyleSheet(self._feedback_style())
            return
        self.score[0] += right
        self.score[1] += 1
        self._feedback_kind = "right" if right else "wrong"
        self.feedback.setText(tr_phrase(message))
        self.feedback.setStyleSheet(self._feedback_style())
        self.last_answer_right = right
        self.revealed.add(self._current_key())
        self._show(keep_feedback=True)

    def reveal(self) -> None:
        self.revealed.add(self._current_key())
        self._show()

    # -- internals --------------------------------------------------------------------------------
    def _current_key(self) -> tuple:
        return _op_key(self.walkthrough.operations[self.index], self.sample)

    def _hidden(self) -> bool:
        return self.quiz.isChecked() and self.walkthrough is not None and self._current_key() not in self.revealed

    def _unanswered(self):
        """``unit -> bool``: whether the quiz has still to ask for that unit's result of the current
        operation (neuron by neuron, each unit is an operation of its own: the later ones are
        still to come, and their cells of the table must not give them away)."""
        if not self.quiz.isChecked():
            return lambda unit: False
        walk = self.walkthrough
        op = walk.operations[self.index]
        if op.unit is None:
            hidden = self._hidden()
            return lambda unit: hidden
        siblings = {other.unit for other in walk.operations
                    if (other.kind, other.layer, other.param) == (op.kind, op.layer, op.param)}
        return lambda unit: unit in siblings and (op.kind, op.layer, op.param, unit, self.sample) not in self.revealed

    def _fill_samples(self, walk) -> None:
        box = self.sample_box
        box.blockSignals(True)
        box.clear()
        for s in range(walk.batch):
            box.addItem(tr("Sample {number} (row {row})").format(number=s + 1, row=int(walk.rows[s]) + 1), s)
        if walk.batch > 1:
            box.addItem(tr("Whole batch ({size}, means)").format(size=walk.batch), BATCH)
        if self.sample is not None and self.sample >= walk.batch:
            self.sample = 0
        i = box.findData(BATCH if self.sample is None else self.sample)
        box.setCurrentIndex(max(i, 0))
        if i < 0:
            self.sample = 0
        box.blockSignals(False)
        box.setEnabled(walk.batch > 1)

    def _on_sample_chosen(self, row: int) -> None:
        value = self.sample_box.itemData(row)
        self.set_sample(None if value == BATCH else int(value))

    def _on_slider(self, value: int) -> None:
        if value != self.index:
            self.go(value)

    def _on_quiz_toggled(self, on: bool) -> None:
        self.quiz_row.setVisible(on)
        walk = self.walkthrough
        self.revealed = ({_op_key(walk.operations[k], self.sample) for k in range(self.index)}
                         if on and walk is not None else set())
        self.score = [0, 0]
        self._show()

    def _show(self, keep_feedback: bool = False) -> None:
        walk = self.walkthrough
        if walk is None:
            return
        calc = walk.calculation(self.index, self.sample)
        hidden = self._hidden()
        self.calculation.show_calculation(calc, hide_result=hidden, unanswered=self._unanswered())
        # the next operation's formulas typeset while the reader reads this one
        index, sample = self.index, self.sample
        self.calculation.prefetch([lambda: walk.calculation(index + 1, sample)] if index + 1 < len(walk) else [])
        if not keep_feedback:
            self.feedback.setText("")
        self.answer_label.setText(tr("Your value of {quantity}:").format(quantity=calc.answer_label))
        self.answer.setEnabled(hidden)
        self.check_button.setEnabled(hidden)
        self.reveal_button.setEnabled(hidden)
        if hidden:
            self.answer.clear()
            self.answer.setFocus()
        if self.score[1]:
            self.score_label.setText(tr("{right} right of {asked}").format(right=self.score[0], asked=self.score[1]))
        self.operation_changed.emit(calc)
        self._update_controls()

    def _update_controls(self) -> None:
        walk = self.walkthrough
        n = len(walk) if walk is not None else 0
        busy = self._committing
        for w in (self.home_button, self.prev_button, self.end_button, self.slider, self.strip):
            w.setEnabled(n > 0 and not busy)
        self.next_button.setEnabled(n > 0 and not busy)
        self.slider.blockSignals(True)
        self.slider.setRange(0, max(n - 1, 0))
        self.slider.setValue(self.index)
        self.slider.blockSignals(False)
        if walk is None:
            self.position.setText("")
            self.strip.set_operations([], 0)
            return
        op = walk.operations[self.index]
        operation = tr("operation {number} of {count}").format(number=self.index + 1, count=n)
        self.position.setText(f"<b>{tr(PHASE_NAMES[op.phase])}</b> · {operation}")
        at_end = self.index == n - 1 and not self._hidden()
        self.next_button.setText(tr("Take the step") if at_end else tr("Next"))
        self.next_button.setToolTip(tr("Apply the update and trace the next training step (Right arrow)") if at_end
                                    else tr("The next operation (Right arrow)"))
        self.prev_button.setEnabled(self.index > 0 and not busy)
        self.home_button.setEnabled(self.index > 0 and not busy)
        self.strip.set_operations([o.phase for o in walk.operations], self.index)


def _matching(op, operations) -> int:
    """The index of ``op`` (or of its first unit) in another list of the same step's operations."""
    for k, other in enumerate(operations):
        if (other.kind, other.layer, other.param) == (op.kind, op.layer, op.param) and \
                (other.unit is None or op.unit is None or other.unit == op.unit):
            return k
    return 0


def _op_key(op, sample) -> tuple:
    """What the quiz records as answered: the operation itself (kind, layer, parameter, unit) and the
    sample, not its position, which changes when neuron by neuron is turned on or off."""
    return op.kind, op.layer, op.param, op.unit, sample


def _translate_revealed(revealed: set, old, new) -> set:
    """The answered operations of walkthrough ``old`` as operations of ``new`` (the same step, layer
    by layer or neuron by neuron): a unit is answered if its whole layer was, a layer if all its
    units were."""
    units: dict[tuple, list] = {}
    for op in old.operations:
        units.setdefault((op.kind, op.layer, op.param), []).append(op.unit)
    samples = {key[-1] for key in revealed}
    out = set()
    for op in new.operations:
        group = (op.kind, op.layer, op.param)
        for s in samples:
            if (*group, op.unit, s) in revealed or (*group, None, s) in revealed:
                out.add((*group, op.unit, s))
            elif op.unit is None and units.get(group) and all((*group, u, s) in revealed for u in units[group]):
                out.add((*group, None, s))
    return out
