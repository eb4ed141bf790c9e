"""The training engine on its own: speed in steps per second, publishing pace, evaluation budget."""

import pytest

from nnviz.core.engine import COMMANDS, Engine, publish_due
from nnviz.core.experiment import Experiment


class FakeClock:
    """Seconds that move only when the test says so."""

    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Publisher:
    """Counts what the engine publishes; ready when the test says so."""

    def __init__(self, interval=1 / 30):
        self.interval = interval
        self.frames, self.fresh, self.rebuilt_by = [], [], []
        self.is_ready = True

    def ready(self):
        return self.is_ready

    def publish(self, experiment, fresh):
        self.frames.append(experiment.step)
        self.fresh.append(fresh)

    def rebuilt(self, command):
        self.rebuilt_by.append(command)


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def engine(clock, monkeypatch):
    # the fake clock says training takes no time: keep its chunks small (a few steps)
    monkeypatch.setattr(Engine, "CHUNK_SECONDS", 1e-6)
    events = []
    e = Engine(Experiment(), lambda kind, value: events.append((kind, value)), Publisher(), clock)
    e.events = events
    return e


def test_a_fixed_speed_takes_the_steps_due_by_the_clock(engine, clock):
    engine.set_speed(20)
    engine.play()
    clock.now += 0.2
    while engine.tick() == 0.0:
        pass
    assert engine.experiment.step == 4  # 20 steps a second for 0.2 s
    wait = engine.tick()
    assert wait == pytest.approx(0.05)  # the next step is due in 1/20 s
    clock.now += 0.05
    engine.tick()
    assert engine.experiment.step == 5


def test_the_speed_does_not_depend_on_how_often_it_is_asked(engine, clock):
    engine.set_speed(64)  # times in 64ths of a second: exact in binary
    engine.play()
    for _ in range(64):  # 64 ticks over one second, or ...
        clock.now += 1 / 64
        engine.tick()
    first = engine.experiment.step
    engine.pause()
    engine.play()
    for _ in range(4):  # ... 4 ticks over one second: the same steps
        clock.now += 1 / 4
        while engine.tick() == 0.0:
            pass
    assert first == 64 and engine.experiment.step == 128


def test_a_model_slower_than_the_speed_never_trains_in_bursts(engine, clock):
    engine.set_speed(1000)
    engine.play()
    clock.now += 60.0  # a minute passed with no tick (a long command, a sleeping laptop)
    while engine.tick() == 0.0:
        pass
    assert engine.experiment.step == 1000 * Engine.MAX_LAG_SECONDS  # not 60,000 steps at once


def test_full_speed_trains_in_chunks(engine, clock):
    engine.set_speed(0)
    engine.play()
    assert engine.tick() == 0.0 and engine.experiment.step >= 1


def test_a_bad_speed_is_refused_in_one_line(engine):
    engine.execute("set_speed", (-3,))
    assert engine.events[-1][0] == "failed" and "steps per second" in engine.events[-1][1]


@pytest.mark.parametrize("speed", [60, 0])
def test_publishes_at_the_interval_only_when_the_other_side_is_ready(engine, clock, speed):
    engine.set_speed(speed)
    engine.play()
    publisher = engine.publisher
    published = len(publisher.frames)
    for _ in range(10):
        clock.now += 0.033  # a 33 ms timer against a 33.3 ms interval: every tick
        engine.tick()
    assert len(publisher.frames) - published == 10
    publisher.is_ready = False
    for _ in range(5):
        clock.now += 0.033
        engine.tick()
    assert len(publisher.frames) - published == 10  # nothing built that nobody will draw
    assert not any(publisher.fresh[published:])  # while training, the newest evaluation is reused


def test_commands_publish_fresh_and_rebuilding_ones_say_so_first(engine):
    engine.execute("set_training", ({"lr": 0.5},))
    engine.execute("step", (2,))
    assert engine.publisher.rebuilt_by == ["set_training"]
    assert engine.publisher.fresh[-2:] == [True, True]
    assert engine.experiment.step == 2


def test_an_unknown_command_is_refused(engine):
    engine.execute("__init__", ())
    assert engine.events[-1] == ("failed", "no such command: '__init__'")
    assert "__init__" not in COMMANDS


def test_evaluation_points_keep_to_their_share_of_the_time(engine, clock, monkeypatch):
    exp = engine.experiment
    calls = []

    def slow_evaluation():
        calls.append(clock.now)
        clock.now += 0.5  # an evaluation of big data: half a second

    monkeypatch.setattr(exp, "record_evaluation", slow_evaluation)
    engine.set_speed(0)
    engine.play()
    for _ in range(2000):
        clock.now += 0.05
        engine.tick()
    gaps = [b - a for a, b in zip(calls, calls[1:])]
    # each half-second evaluation is followed by enough time without one to keep to its share
    assert len(gaps) >= 1 and min(gaps) >= 0.5 / Engine.EVALUATION_SHARE


def test_the_rate_is_reported_while_playing(engine, clock):
    engine.set_speed(0)
    engine.play()
    for _ in range(10):
        clock.now += 0.05
        engine.tick()
    rates = [value for kind, value in engine.events if kind == "rate"]
    assert rates and all(r > 0 for r in rates)


def test_publish_due_allows_a_timer_rounded_down_to_whole_milliseconds():
    interval = 1 / 30
    assert publish_due(0.033, interval)
    assert not publish_due(0.8 * interval, interval)


def test_a_publish_ticket_rides_on_every_snapshot_after_it(engine, clock):
    """The window numbers its publish requests: a snapshot carrying ticket n shows every command
    sent before request n, and later snapshots carry it on (a smaller ticket never lowers it)."""
    tickets = []
    engine.publisher.publish = lambda experiment, fresh: tickets.append((experiment.step, engine.ticket))
    engine.execute("step", (2,))
    engine.execute("publish", (5,))
    engine.execute("step", (1,))
    engine.execute("publish", (3,))
    assert tickets == [(2, 0), (2, 5), (3, 5), (3, 5)]


# --- bursts of commands, long commands, faults (issue 14) ------------------------------------------------------------


def test_side_by_side_settings_merge_and_the_newest_value_wins():
    from nnviz.core.engine import coalesce

    drag = [("set_training", ({"lr": lr},)) for lr in (0.1, 0.2, 0.3)]
    assert coalesce(drag) == [("set_training", ({"lr": 0.3},))]
    # different settings, or settings whose order matters, stay as they are
    mixed = [("set_training", ({"lr": 0.1},)), ("set_training", ({"loss": "mse"},)),
             ("set_training", ({"loss": "bce"},)), ("set_training", ({"optimizer": "adam"},)),
             ("set_training", ({"optimizer": "sgd"},))]
    assert coalesce(mixed) == mixed
    # an edit of the same weight: the newest; of another weight: both
    edits = [("edit_parameter", ("layers[0].weight", (0, 0), 1.0)),
             ("edit_parameter", ("layers[0].weight", (0, 0), 2.0)),
             ("edit_parameter", ("layers[0].weight", (0, 1), 3.0))]
    assert coalesce(edits) == edits[1:]
    # Steps add up; speeds and layers: the newest; something between keeps both
    assert coalesce([("step", (2,)), ("step", ()), ("step", (3,))]) == [("step", (6,))]
    assert coalesce([("set_speed", (10,)), ("set_speed", (0,))]) == [("set_speed", (0,))]
    assert coalesce([("set_speed", (10,)), ("play", ()), ("set_speed", (0,))]) == [
        ("set_speed", (10,)), ("play", ()), ("set_speed", (0,))]
    # one Save per file: the last (the file ends with the same text)
    saves = [("save", ("a.json",)), ("set_training", ({"lr": 0.5},)), ("save", ("a.json",)),
             ("save", ("b.json",))]
    assert coalesce(saves) == saves[1:]
    # malformed arguments pass through (execute answers them in one line)
    odd = [("save", ([1],)), ("save", ([1],)), ("edit_sample", (1,)), ("step", ("x",)), ("step", (1,))]
    assert coalesce(odd) == [("save", ([1],)), ("save", ([1],)), ("edit_sample", (1,)), ("step", ("x",)),
                             ("step", (1,))]


def test_merged_commands_leave_the_state_the_commands_one_by_one_leave(engine):
    """The same burst applied merged and one by one: the same weights and settings."""
    burst = ([("set_training", ({"lr": lr},)) for lr in (0.3, 0.2, 0.05)] + [("step", (2,)), ("step", (3,))]
             + [("edit_parameter", ("layers[0].weight", (0, 0), v)) for v in (0.5, -0.25)]
             + [("set_training", ({"seed": 3},)), ("set_training", ({"seed": 4},)), ("step", (1,))])
    apart = Engine(Experiment(), lambda kind, value: None, Publisher())
    for name, args in burst:
        apart.execute(name, args)
    engine.execute_all(burst)
    assert engine.experiment.step == apart.experiment.step == 6
    assert engine.experiment.net.flat_params.tolist() == apart.experiment.net.flat_params.tolist()
    assert engine.experiment.document_copy() == apart.experiment.document_copy()


def test_a_burst_of_commands_is_shown_once(engine):
    engine.publisher.frames.clear()
    engine.execute_all([("set_training", ({"lr": 0.01},)), ("step", (1,)), ("set_training", ({"loss": "mse"},)),
                        ("publish", (1,)), ("step", (2,)), ("publish", (2,))])
    assert engine.publisher.frames == [3] and engine.ticket == 2


def test_a_long_step_ends_between_chunks_when_the_app_closes(clock):
    """Step 1,000,000 with the app closing after the third look: a few chunks taken, the rest not."""
    looks = []
    engine = Engine(Experiment(), lambda kind, value: None, Publisher(), clock,
                    should_stop=lambda: looks.append(1) or len(looks) >= 3)
    engine.execute("step", (1_000_000,))
    assert 0 < engine.experiment.step < 1_000_000 and len(looks) == 3


def test_a_step_epoch_takes_the_steps_of_trainer_epoch(engine):
    """Step epoch, run in chunks: the same weights as Trainer.epoch, bit for bit, from mid-epoch too."""
    reference = Experiment()
    engine.execute("step", (3,))
    reference.run(3)
    engine.execute("step_epoch")
    reference.trainer.epoch()
    assert engine.experiment.net.samples_seen == reference.net.samples_seen
    assert engine.experiment.net.flat_params.tolist() == reference.net.flat_params.tolist()


@pytest.mark.parametrize("steps", [0, -1, 2.5, "10", None, True, 10**12])
def test_a_bad_step_count_is_one_line(engine, steps):
    engine.execute("step", (steps,))
    kind, message = engine.events[-1]
    assert kind == "failed" and message.startswith("steps: expected a whole number from 1 to")
    assert engine.experiment.step == 0


def test_a_publish_that_fails_is_one_message_and_no_loop(engine, clock):
    """The snapshot cannot be built (a fault of the engine): one 'failed' message, paused, no retry
    loop, and once it can be built again the next command shows."""
    calls = []

    def broken(experiment, fresh):
        calls.append(fresh)
        raise RuntimeError("cannot build it")

    working = engine.publisher.publish
    engine.execute("play")
    engine.publisher.publish = broken
    engine.execute("step", (1,))
    failed = [value for kind, value in engine.events if kind == "failed"]
    assert failed == ["RuntimeError: cannot build it"] and not engine.playing
    assert engine.tick() is None and len(calls) == 1
    engine.publisher.publish = working
    engine.execute("step", (1,))
    assert engine.publisher.frames[-1] == 2


def test_a_fault_while_playing_pauses_with_one_line_even_if_showing_it_fails(engine, clock, monkeypatch):
    def broken_run(steps):
        raise RuntimeError("step exploded")

    engine.execute("play")
    monkeypatch.setattr(engine.experiment, "run_fast", broken_run)
    engine.publisher.publish = lambda experiment, fresh: (_ for _ in ()).throw(OverflowError("again"))
    clock.now += 1
    assert engine.tick() is None
    failed = [value for kind, value in engine.events if kind == "failed"]
    assert failed[0] == "RuntimeError: step exploded" and not engine.playing
    assert ("playing", False) in engine.events


# -- the timeline, through the engine's commands ------------------------------------------------
def _views(engine):
    return [value for kind, value in engine.events if kind == "view"]


def test_view_shows_a_past_step_exactly_and_pauses(engine, clock):
    import numpy as np

    reference = Experiment()
    params = {0: reference.net.flat_params.copy()}
    for _ in range(60):
        reference.run(1)
        params[reference.step] = reference.net.flat_params.copy()
    engine.execute("step", (25,))
    engine.execute("play")
    for _ in range(5):
        clock.now += 0.01
        engine.tick()
    engine.execute("pause")
    if engine.experiment.step < 60:
        engine.execute("step", (60 - engine.experiment.step,))
    assert engine.experiment.step >= 60
    engine.execute("play")
    engine.execute("view", (37,))
    view = _views(engine)[-1]
    assert not engine.playing
    assert view.step == 37 and view.live_step == engine.experiment.step
    assert np.array_equal(np.concatenate([v.ravel() for v in view.params.values()]), params[37])
    engine.execute("view", (None,))
    assert _views(engine)[-1] is None


def test_an_edit_is_never_replayed_across(engine):
    engine.execute("step", (30,))
    engine.execute("edit_parameter", ("layers[0].weight", (0, 0), 3.0))
    engine.execute("step", (30,))
    engine.execute("view", (45,))
    past = engine.timeline.at(engine.experiment, 45)
    assert past.net.get("layers[0].weight")[0, 0] != 0  # trained on from the edit
    engine.execute("view", (30,))
    assert _views(engine)[-1].params["layers[0].weight"][0, 0] == 3.0  # the newer state of step 30
    engine.execute("view", (29,))
    assert _views(engine)[-1].params["layers[0].weight"][0, 0] != 3.0


def test_branch_goes_back_changes_a_setting_and_keeps_the_earlier_course(engine):
    engine.execute("step", (80,))
    engine.execute("branch", (40, {"lr": 0.3}, "lr 0.03"))
    exp = engine.experiment
    assert exp.step == 40 and exp.net.optimizer.lr == 0.3
    assert [c.label for c in exp.branches] == ["lr 0.03"] and exp.branches[0].start == 40
    assert _views(engine)[-1] is None  # the present is shown again
    assert "branch" in engine.publisher.rebuilt_by
    engine.execute("step", (10,))
    assert engine.experiment.step == 50


def test_a_reset_or_new_layers_start_the_timeline_again(engine):
    engine.execute("step", (50,))
    assert len(engine.timeline.keyframes) > 1
    engine.execute("reset")
    assert engine.timeline.start == 0 and len(engine.timeline.keyframes) == 1
    engine.execute("view", (10,))
    assert "the run is only at step 0" in engine.events[-1][1]


def test_bad_view_and_branch_commands_are_one_line(engine):
    engine.execute("view", ("x",))
    assert engine.events[-1] == ("failed", "view: expected a step or None, got str")
    engine.execute("branch", (0, {"colour": 1}, "x"))
    assert engine.events[-1][0] == "failed" and "unknown setting 'colour'" in engine.events[-1][1]


def test_path_is_the_keyframes_and_the_present_within_its_budget(engine, monkeypatch):
    import numpy as np

    from nnviz.core import timeline as timeline_module

    engine.execute("step", (95,))
    engine.execute("path")
    steps, params = [v for k, v in engine.events if k == "path"][-1]
    assert steps[0] == 0 and steps[-1] == 95 and list(steps) == sorted(set(steps))
    assert np.array_equal(params[-1], engine.experiment.net.flat_params)
    assert np.array_equal(params[0], Experiment().net.flat_params)
    # a budget of three vectors: the first, one between, the present
    monkeypatch.setattr(timeline_module, "PATH_BYTES", 3 * params[0].nbytes)
    engine.execute("path")
    steps, params = [v for k, v in engine.events if k == "path"][-1]
    assert len(steps) == 3 and steps[0] == 0 and steps[-1] == 95


def test_export_code_writes_the_run_between_steps_and_says_where(engine, tmp_path):
    engine.execute("step", (3,))
    engine.execute("export_code", (str(tmp_path / "train.py"),))
    assert ("exported", (str(tmp_path / "train.py"),)) in engine.events
    assert "STEP = 3" in (tmp_path / "train.py").read_text(encoding="utf-8")
    engine.execute("export_code", (str(tmp_path / "train.txt"),))
    assert engine.events[-1][0] == "failed" and "expected a .py script" in engine.events[-1][1]


def test_keep_replays_a_lane_from_where_it_parted_with_the_runs_history_and_course(engine):
    """``keep``: a lane forked at step 40 with batch size 5 and Adam, trained to step 70 on its own, made
    the run: the same numbers as the lane, the run's history from step 0, its own course from step
    40 kept as a branch; with the run changed since, the lane's document is loaded instead."""
    import numpy as np

    from nnviz.core.lanes import fork

    engine.execute("step", (40,))
    base = engine.experiment.fork()
    changes = {"optimizer": "adam", "lr": 0.01, "batch_size": 5}
    lane = fork(base, changes)
    lane.run(30)
    engine.execute("step", (12,))  # the run's own course goes on meanwhile
    engine.execute("keep", (40, base.net.flat_params.copy(), changes, "sgd, lr 0.03", 70, lane.to_document()))
    exp = engine.experiment
    assert exp.step == 70 and np.array_equal(exp.net.flat_params, lane.net.flat_params)
    state = lane.net.optimizer.state
    assert all(np.array_equal(exp.net.optimizer.state[k], state[k]) for k in state)
    assert exp.trainer.history.run_steps.view()[0] == 1 and exp.data.batch_size == 5
    assert exp.branches[-1].label == "sgd, lr 0.03" and exp.branches[-1].start == 40
    assert engine.timeline.start == 0
    assert engine.events[-1][0] == "noticed" and "stays on the loss plot" in engine.events[-1][1]
    # the run no longer passes through the lane's start: the lane as it is
    engine.execute("reset")
    engine.execute("keep", (40, base.net.flat_params.copy(), changes, "sgd, lr 0.03", 70, lane.to_document()))
    assert np.array_equal(engine.experiment.net.flat_params, lane.net.flat_params) and engine.experiment.step == 70
    assert "history before is not kept" in engine.events[-1][1]
