"""Take the README's pictures of lessons and exercises (under Xvfb, or offscreen).

    xvfb-run -a -s "-screen 0 1600x1000x24" python docs/lesson_screenshots.py
    xvfb-run -a -s "-screen 0 1600x1000x24" python docs/lesson_screenshots.py --dark

* ``docs/images/lesson-presentation.png``: Examples › "Fitting y = x² with ten ReLUs" in presentation
  mode (F5), at its second step, after 3,000 steps of training: full screen, larger text, the lesson's
  panels and none of the controls it hides.
* ``docs/images/lesson-mazur.png``: Mazur's 2-2-2 lesson in presentation mode at its fourth step, the
  step-through on the loss with nine decimals: 0.298371109, as he published it.
* ``docs/images/exercise-solved.png``: the exercise "a learning rate that converges", solved with a
  learning rate of 0.5: the goal, the constraints kept, a hint and the Solved banner.

``--dark`` gives the app a dark desktop's palette (KDE Breeze Dark's colours) and writes the same
pictures with ``-dark`` before ``.png``. QSettings go to a temporary file: the user's are never read.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "docs"))


def main(argv=None) -> None:
    from screenshot import open_window, picture_args, wait_until

    args = picture_args(__doc__, argv)
    from screenshot import settle as pump

    app, window = open_window(args, "lesson-screenshots")
    suffix = "-dark" if args.dark else ""
    out_dir = Path(args.out_dir)

    def wait(condition, seconds: float = 120) -> None:
        wait_until(app, condition, seconds, "lesson_screenshots")

    def settle(seconds: float = 0.8) -> None:
        pump(app, seconds)

    def open_example(key: str) -> None:
        window.lesson_pane.document = None
        window.example_actions[key].trigger()
        wait(lambda: window._state is not None and window._state["document"].get("name") == window.model_name
             and window.latest is not None and window.latest.model_name == window.model_name)
        settle()

    def train_to(step: int) -> None:
        window.session.play()
        wait(lambda: window.latest.step >= step)
        window.session.pause()
        wait(lambda: not window.session.playing)
        settle()

    def save(name: str) -> None:
        out = out_dir / f"{name}{suffix}.png"
        out.parent.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(out))
        print(f"lesson_screenshots: wrote {out} ({window.width()}x{window.height()})")

    wait(lambda: window.latest is not None and window._state is not None)
    window.session.set_speed(1000)
    window.controls.set_speed(1000)

    # y = x² in presentation mode, trained
    open_example("square-fit")
    train_to(3000)
    window.set_presentation(True)
    window.lesson_pane.show_step(1)
    settle(1.5)
    save("lesson-presentation")
    window.set_presentation(False)
    settle()

    # Mazur's network: the loss, to nine decimals
    open_example("mazur-backprop")
    window.set_presentation(True)
    window.lesson_pane.show_step(3)
    stepper = window.stepper
    wait(lambda: stepper.walkthrough is not None)
    stepper.calculation.set_precision(9)
    stepper.go(next(i for i, op in enumerate(stepper.walkthrough.operations) if op.phase == "loss"))
    settle(1.5)
    save("lesson-mazur")
    window.set_presentation(False)
    settle()

    # an exercise, solved
    open_example("exercise-learning-rate")
    window.resize(1600, 1000)
    window.session.set_speed(300)
    window.controls.set_speed(300)
    window.session.set_training(lr=0.5)
    window.session.reset()
    window.lesson_pane.reveal_hint()
    train_to(400)
    wait(lambda: window.lesson_pane.solved_verdict is not None)
    settle()
    save("exercise-solved")
    window.setWindowModified(False)
    window.session.shutdown(2000)


if __name__ == "__main__":
    main()
