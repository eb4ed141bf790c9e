"""Take the README's pictures of typeset maths (under Xvfb, or offscreen).

    xvfb-run -a -s "-screen 0 1600x1000x24" python docs/maths_screenshots.py
    xvfb-run -a -s "-screen 0 1600x1000x24" python docs/maths_screenshots.py --dark

* ``docs/images/typeset-step-through.png``: Examples › Mazur's 2-2-2 lesson at its first step (the
  lesson pane's inline maths typeset: i₁ = 0.05, w₁…w₈ …), the step-through at the gradient of the
  output layer's weights: the formula (∂L/∂W = Σ ∂L/∂z · aᵀ) and every line with the step's numbers
  typeset.

``--dark`` gives the app a dark desktop's palette (KDE Breeze Dark's colours) and writes the same
picture with ``-dark`` before ``.png``: the formulas are drawn in its light text colour. QSettings
go to a temporary file: the user's are never read.
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

    from nnviz.gui import maths

    app, window = open_window(args, "maths-screenshots")

    def wait(condition, seconds: float = 120) -> None:
        wait_until(app, condition, seconds, "maths_screenshots")

    def settle(seconds: float = 1.0) -> None:
        pump(app, seconds)

    wait(lambda: window.latest is not None and window._state is not None)
    window.example_actions["mazur-backprop"].trigger()
    stepper = window.stepper
    wait(lambda: stepper.walkthrough is not None and window.lesson_pane.lesson is not None)
    pane = window.lesson_pane
    pane.show_step(0)
    wait(lambda: stepper.walkthrough is not None)
    settle()
    last = len(stepper.walkthrough.net.layers) - 1
    stepper.go(next(i for i, op in enumerate(stepper.walkthrough.operations)
                    if op.kind == "grad" and op.layer == last and op.param == "weight"))
    settle(1.5)
    if maths.fallbacks():
        raise SystemExit(f"maths_screenshots: formulas not typeset: {maths.fallbacks()}")
    out = Path(args.out_dir) / f"typeset-step-through{'-dark' if args.dark else ''}.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(out))
    calc = stepper.current()
    print(f"maths_screenshots: wrote {out} ({window.width()}x{window.height()}); operation {calc.index + 1} "
          f"of {calc.count}: {calc.title}")
    window.setWindowModified(False)
    window.session.shutdown(2000)


if __name__ == "__main__":
    main()
