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
    assert engine.events[-1] == ("failed", "ValueError: no such command: '__init__'")
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
