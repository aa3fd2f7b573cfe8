"""transformers TrainerCallbacks: a JSONL train log and a rich progress bar."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from transformers import TrainerCallback

from routerforge.train.common import JsonlLog


def make_progress(console: Console | None = None) -> Progress:
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("{task.fields[info]}"), TimeElapsedColumn(), TimeRemainingColumn(),
                    console=console, transient=False)


class LogCallback(TrainerCallback):
    def __init__(self, log: JsonlLog) -> None:
        self.log = log

    def on_log(self, args, state, control, logs=None, **kw):
        if logs:
            self.log.write(**{"step": state.global_step, "epoch": state.epoch, **logs})


class RichProgressCallback(TrainerCallback):
    def __init__(self, description: str, console: Console | None = None) -> None:
        self.description, self.console = description, console
        self.progress: Progress | None = None
        self.task = None
        self.last_loss: float | None = None

    def on_train_begin(self, args, state, control, **kw):
        self.progress = make_progress(self.console)
        self.progress.start()
        self.task = self.progress.add_task(self.description, total=state.max_steps, info="", completed=state.global_step)

    def on_log(self, args, state, control, logs=None, **kw):
        if logs and "loss" in logs:
            self.last_loss = logs["loss"]

    def on_step_end(self, args, state, control, **kw):
        if self.progress is not None:
            info = f"loss {self.last_loss:.3f}" if self.last_loss is not None else ""
            self.progress.update(self.task, completed=state.global_step, info=info)

    def on_train_end(self, args, state, control, **kw):
        if self.progress is not None:
            self.progress.stop()
            self.progress = None
