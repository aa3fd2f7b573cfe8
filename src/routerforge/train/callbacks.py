"""transformers TrainerCallbacks: a JSONL train log and a rich progress bar; and step hooks, through which
code outside the trainer (a sweep's format-drift monitor, train/drift.py) looks at the model as it trains."""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

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


# Step hooks: objects with `on_step(step, model, tokenizer)` and `on_end(step, model, tokenizer)`, called by
# both SFT paths (TRL's trainer through `StepHookCallback`, sft_cached.py directly) after each optimizer step
# and once when training ends. A hook stops training by raising; the exception leaves `run_pipeline` and the
# run stays partial. A context variable, not a trainer argument, so `run_pipeline` needs no new parameter.
_STEP_HOOKS: ContextVar[tuple] = ContextVar("routerforge_step_hooks", default=())


@contextmanager
def step_hooks(*hooks):
    """Call `hooks` from every SFT run started inside the block."""
    token = _STEP_HOOKS.set(_STEP_HOOKS.get() + hooks)
    try:
        yield
    finally:
        _STEP_HOOKS.reset(token)


def active_step_hooks() -> tuple:
    return _STEP_HOOKS.get()


def fire_step(step: int, model, tokenizer) -> None:
    for hook in _STEP_HOOKS.get():
        hook.on_step(step, model, tokenizer)


def fire_end(step: int, model, tokenizer) -> None:
    for hook in _STEP_HOOKS.get():
        hook.on_end(step, model, tokenizer)


class StepHookCallback(TrainerCallback):
    """The step hooks inside TRL's trainer (transformers passes the model and the tokenizer)."""

    def on_step_end(self, args, state, control, model=None, processing_class=None, **kw):
        fire_step(state.global_step, model, processing_class)

    def on_train_end(self, args, state, control, model=None, processing_class=None, **kw):
        fire_end(state.global_step, model, processing_class)
