"""Training in its own process: the same numbers as in this process, exits, crashes and faults."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from nnviz.core.experiment import DataConfig, Experiment
from nnviz.gui.session import TrainingSession

from user import settle


def gone(pid: int) -> bool:
    """Whether process ``pid`` has ended (a zombie nobody has reaped yet counts as ended)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True
    except OSError:  # no /proc: ask the process table
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return False


@pytest.fixture
def session(qtbot):
    s = TrainingSession()
    assert s.in_process
    qtbot.waitUntil(lambda: s.latest is not None, timeout=5000)
    yield s
    s.shutdown()


def at_step(step):
    return lambda snap: snap.step == step


def test_a_snapshot_from_the_replica_equals_one_built_in_this_process(qtbot, session):
    data = DataConfig(dataset="spiral", noise=0.1, test_fraction=0.3)
    doc = {"format": "nnviz.model/1", "inputs": 2, "loss": "bce", "seed": 4, "optimizer": {"name": "adam", "lr": 0.01},
           "layers": [{"type": "dense", "units": 6, "activation": "relu"},
                      {"type": "dense", "units": 1, "activation": "sigmoid"}]}
    session.load_document(doc)
    session.set_data(data)
    with qtbot.waitSignal(session.snapshot_ready, timeout=10000, check_params_cb=at_step(25)):
        session.step(25)
    here = Experiment(doc, data)
    here.run(25)
    snap, ref = session.latest, here.snapshot()
    for name, value in ref.params.items():
        np.testing.assert_array_equal(snap.params[name], value)
        np.testing.assert_array_equal(snap.grads[name], ref.grads[name])
    assert (snap.train_loss, snap.test_loss, snap.train_accuracy) == (ref.train_loss, ref.test_loss, ref.train_accuracy)
    np.testing.assert_array_equal(snap.predictions, ref.predictions)
    np.testing.assert_array_equal(snap.surface, ref.surface)
    np.testing.assert_array_equal(snap.history["loss"], ref.history["loss"])
    assert [h.update_ratio for h in snap.health] == [h.update_ratio for h in ref.health]


def test_saved_in_the_process_the_model_resumes_bit_for_bit(qtbot, session, tmp_path):
    with qtbot.waitSignal(session.snapshot_ready, timeout=5000, check_params_cb=at_step(7)):
        session.step(7)
    path = tmp_path / "model.json"
    with qtbot.waitSignal(session.saved, timeout=5000):
        session.save(path)
    resumed = Experiment()
    resumed.load_document(json.loads(path.read_text()))
    resumed.run(5)
    with qtbot.waitSignal(session.snapshot_ready, timeout=5000, check_params_cb=at_step(12)):
        session.step(5)
    for name, value in resumed.net.named_parameters():
        np.testing.assert_array_equal(session.latest.params[name], value)


def test_a_long_run_at_full_speed_keeps_the_replica_history_bounded(qtbot, session, monkeypatch):
    session.set_speed(0)
    session.play()
    qtbot.waitUntil(lambda: session.latest.step > 3000, timeout=20000)
    with qtbot.waitSignal(session.playing_changed, timeout=5000):
        session.pause()
    settle(qtbot, session)
    step, history = session.latest.step, session.latest.history
    # every step the child took is in the replica's history, in order
    assert list(history["step"][-3:]) == [step - 2, step - 1, step]
    assert len(history["loss"]) == step


def test_closing_the_window_ends_the_training_process_within_a_second(qtbot, main_window):
    pid = main_window.session.child_pid
    main_window.session.play()
    qtbot.waitUntil(lambda: main_window.latest.step > 100, timeout=10000)
    main_window.close()
    qtbot.waitUntil(lambda: gone(pid), timeout=1000)


def test_the_training_process_ends_when_the_app_is_killed(tmp_path):
    script = tmp_path / "app.py"
    script.write_text(textwrap.dedent("""
        import os, sys
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        from PySide6.QtWidgets import QApplication
        from nnviz.gui.session import TrainingSession
        if __name__ == "__main__":
            app = QApplication([])
            session = TrainingSession()
            session.play()
            print(session.child_pid, flush=True)
            app.exec()
    """))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    app = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True, env=env)
    try:
        child = int(app.stdout.readline())
        assert not gone(child)
        app.send_signal(signal.SIGKILL)
        app.wait(5)
        end = time.monotonic() + 2.0
        while not gone(child) and time.monotonic() < end:
            time.sleep(0.02)  # another process: there is no signal to wait for
        assert gone(child), "the training process outlived the app by 2 s"
    finally:
        app.kill()


def test_a_killed_training_process_starts_again_from_where_it_was(qtbot, session):
    with qtbot.waitSignal(session.snapshot_ready, timeout=5000, check_params_cb=at_step(5)):
        session.step(5)
    first = session.child_pid
    with qtbot.waitSignal(session.failed, timeout=5000) as blocker:
        os.kill(first, signal.SIGKILL)
    message = blocker.args[0]
    assert "\n" not in message and "started again from step 5" in message
    assert session.child_pid != first and session.in_process
    with qtbot.waitSignal(session.snapshot_ready, timeout=5000, check_params_cb=at_step(6)):
        session.step()
    here = Experiment()
    here.run(6)
    for name, value in here.net.named_parameters():
        np.testing.assert_array_equal(session.latest.params[name], value)


def test_an_error_while_training_shows_one_line_and_the_session_stays_usable(qtbot, monkeypatch):
    from faults import FailingAtStep3

    monkeypatch.setattr(TrainingSession, "_first_experiment", staticmethod(lambda doc, data: (FailingAtStep3(), "")))
    session = TrainingSession()
    try:
        qtbot.waitUntil(lambda: session.latest is not None, timeout=5000)
        with qtbot.waitSignal(session.failed, timeout=10000) as blocker:
            session.play()
        assert blocker.args == ["RuntimeError: the training loop broke"]
        qtbot.waitUntil(lambda: not session.playing, timeout=5000)
        with qtbot.waitSignal(session.snapshot_ready, timeout=5000, check_params_cb=at_step(4)):
            session.step()  # a step by hand still works
        assert session.child_pid is not None and session.is_running()
    finally:
        session.shutdown()


def test_the_threaded_option_trains_in_this_process(qtbot):
    TrainingSession.threaded_by_default = True
    try:
        s = TrainingSession()
    finally:
        TrainingSession.threaded_by_default = False
    try:
        assert not s.in_process and s.child_pid is None
        qtbot.waitUntil(lambda: s.latest is not None, timeout=5000)
    finally:
        s.shutdown()


def test_a_process_that_cannot_start_falls_back_to_a_thread_and_says_so(qtbot, monkeypatch):
    from nnviz import training_process

    def refuse(self, experiment):
        raise OSError("no more processes")

    monkeypatch.setattr(training_process.TrainingProcess, "__init__", refuse)
    s = TrainingSession()
    try:
        messages = []
        s.failed.connect(messages.append)
        qtbot.waitUntil(lambda: bool(messages), timeout=5000)
        assert not s.in_process
        assert messages == ["Training runs in the app's own process: a training process could not start "
                            "(OSError: no more processes)."]
        with qtbot.waitSignal(s.snapshot_ready, timeout=5000, check_params_cb=at_step(1)):
            s.step()
    finally:
        s.shutdown()


def test_python_m_nnviz_does_not_start_the_app_again_in_the_training_process():
    source = Path(__file__).resolve().parents[2] / "nnviz" / "__main__.py"
    assert 'if __name__ == "__main__":' in source.read_text()


def test_a_plug_in_the_process_cannot_import_moves_training_here_and_says_so(qtbot, session):
    from nnviz.core.activations import ACTIVATIONS, Activation

    class Local(Activation):  # defined inside a function: it cannot be pickled by name
        name = "local"
        title = "local"
        tooltip = "a toy"

        def forward(self, z):
            return z

        def backward(self, z, a, da):
            return da

    messages = []
    session.failed.connect(messages.append)
    with ACTIVATIONS.registered(Local), \
            qtbot.waitSignal(session.snapshot_ready, timeout=5000, check_params_cb=at_step(1)):
        session.step()
    assert not session.in_process and len(messages) == 1
    assert messages[0].startswith("Training goes on in the app's own process: the training process cannot take it")
    with qtbot.waitSignal(session.snapshot_ready, timeout=5000, check_params_cb=at_step(2)):
        session.step()  # the run goes on where it was


def test_frames_leave_the_window_time_for_the_person(qtbot, session):
    """A frame that took 30 ms to draw is followed by the next only after 10 ms more (long frames
    take at most 75 % of the window's time); a quick one at once; training never waits for them."""
    with qtbot.waitSignal(session.snapshot_ready, timeout=5000, check_params_cb=at_step(1)):
        session.step()
    engine = session._engine
    qtbot.waitUntil(lambda: engine.process._acknowledged == engine.process.frames, timeout=5000)
    with qtbot.waitSignal(session.snapshot_ready, timeout=5000, check_params_cb=at_step(2)):
        session.step()
    process = engine.process
    process._acknowledged = 0  # as if the newest frame were not drawn yet
    engine.drawn(0.03)
    assert process._acknowledged == 0
    qtbot.waitUntil(lambda: process._acknowledged == process.frames, timeout=2000)
    process._acknowledged = 0
    engine.drawn(0.005)
    assert process._acknowledged == process.frames
