"""Experiments that fail on purpose, importable by a training process (tests only)."""

from nnviz.core.experiment import Experiment


class FailingAtStep3(Experiment):
    """Training past step 3 at speed raises, as a bug in the engine would."""

    def run_fast(self, steps: int) -> float:
        if self.step >= 3:
            raise RuntimeError("the training loop broke")
        return super().run_fast(min(steps, 3 - self.step))
