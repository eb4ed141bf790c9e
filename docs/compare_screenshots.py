"""Take the README's pictures of comparing and branching runs (under Xvfb, or offscreen).

    xvfb-run -a -s "-screen 0 1920x1200x24" python docs/compare_screenshots.py

* ``docs/images/optimizer-race.png``: Compare… with the Optimizer race preset on the default model
  (circle), about 400 steps in (at 300 steps a second): SGD, SGD with momentum, RMSprop and Adam
  from the same start.
* ``docs/images/landscape-race.png``: the race with its Landscape tab (the splitters dragged to give
  it room): the loss around Adam's weights, with the four optimizers' paths from their common start.
* ``docs/images/branched-run.png``: the main window after a branch: trained 900 steps at lr 0.03,
  back to step 300, branched with lr 0.3 and trained on to 900; the timeline shows step 600, the
  course left is the dashed curve.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "docs"))


def main() -> None:
    from PySide6 import QtCore
    from screenshot import settle as pump
    from screenshot import wait_until

    from nnviz.gui.app import create_application
    from nnviz.gui.main_window import MainWindow
    from nnviz.gui.welcome import DISMISSED_KEY

    app = create_application([])
    settings = QtCore.QSettings(str(Path(QtCore.QDir.tempPath()) / "nnviz-screenshots.ini"),
                                QtCore.QSettings.Format.IniFormat)
    settings.setValue(DISMISSED_KEY, True)  # the pictures show the window, not its first-run welcome
    window = MainWindow(settings=settings)
    window.resize(1600, 1000)
    window.show()

    def wait(condition, seconds: float = 120) -> None:
        wait_until(app, condition, seconds, "compare_screenshots")

    def settle(seconds: float = 0.5) -> None:
        pump(app, seconds)

    def train_to(step: int) -> None:
        window.session.play()
        wait(lambda: window.latest.step >= step)
        window.session.pause()
        wait(lambda: not window.session.playing)

    wait(lambda: window.latest is not None and window._state is not None)
    window.session.set_speed(1000)

    # the optimizer race
    window.compare()
    wait(lambda: window.compare_dialog is not None and window.compare_dialog.isVisible())
    window.compare_dialog.optimizer_race()
    window.compare_dialog.accept()
    wait(lambda: window.compare_window is not None)
    race = window.compare_window
    race.resize(1600, 1000)
    wait(lambda: all(s is not None for s in race.snapshots))
    race.set_speed(300)
    race.set_playing(True)  # chunks of 30 steps: a point of the curves after each
    wait(lambda: race.frames and race.frames[0][1].step >= 400)
    race.set_playing(False)
    wait(lambda: race._all_shown())
    settle()
    out = ROOT / "docs" / "images" / "optimizer-race.png"
    race.grab().save(str(out))
    print(f"compare_screenshots: wrote {out}")

    # the landscape around Adam's weights, with the four paths on its plane
    from nnviz.gui.panels import landscape as landscape_panel

    race.side_tabs.setCurrentIndex(1)
    race.split.setSizes([380, 620])  # room for the map: the lanes' row made smaller, as a person drags it
    race.bottom_split.setSizes([700, 900])
    race.landscape.compute_button.click()
    wait(lambda: landscape_panel.running() == 0 and race.landscape.result is not None
         and race.landscape.path_points(3) is not None)
    settle()
    out = ROOT / "docs" / "images" / "landscape-race.png"
    race.grab().save(str(out))
    print(f"compare_screenshots: wrote {out}")
    race.close()
    settle()

    # a branched run
    train_to(900)
    window.view_step(300)
    wait(lambda: window.viewing is not None and window.viewing.step == 300)
    window.branch(300, {"lr": 0.3}, "lr 0.03")
    wait(lambda: window.latest.step == 300 and len(window.latest.branches) == 1)
    train_to(900)
    window.view_step(600)
    wait(lambda: window.viewing is not None and window.viewing.step == 600)
    settle()
    out = ROOT / "docs" / "images" / "branched-run.png"
    window.grab().save(str(out))
    print(f"compare_screenshots: wrote {out}")
    window.session.shutdown(2000)


if __name__ == "__main__":
    main()
