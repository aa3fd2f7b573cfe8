"""Write a (merged) transformers Llama-family model as a GGUF file that llama.cpp runs.

The embedded base model ships as a GGUF (models/loading.py); a trained router is that model with a LoRA
adapter merged in. The export keeps the base file's metadata (architecture sizes, tokenizer, chat
template) and replaces its tensors with the merged model's, in one weight type:

- `bf16`: the weights the torch runtime serves (it merges and casts to bf16), bit for bit;
- `f32`: the fp32 merge;
- `q8_0`, `q4_0`, `q4_1`: llama.cpp's own block quantisations — fewer bytes a token reads, so faster
  where a pass is memory-bound, at the cost of rounding the weights once more (benchmarks/engines.py
  compares them; docs/runtime.md).

Norm weights stay f32 (llama.cpp wants them so). llama.cpp's converter permutes the rows of the query and
key projections (its RoPE pairs neighbouring dimensions, transformers' pairs the two halves of a head),
and transformers' GGUF loader undoes it on the way in; `_permute` redoes it on the way out.
Shared mechanics only: no control flow of a recipe.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

WEIGHT_TYPES = ("bf16", "f32", "q8_0", "q4_0", "q4_1")


def _permute(w, n_head: int):
    """transformers' q/k row order -> llama.cpp's (rotary pairs interleaved within each head)."""
    return w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def export_gguf(model, base_gguf: str | Path, out: str | Path, *, weight_type: str = "bf16",
                keep_unchanged: bool = False) -> Path:
    """Write `model`'s weights into a copy of `base_gguf`'s layout at `out` (atomic: tmp + rename).
    With `keep_unchanged`, a tensor the merge did not change (its value equals the base file's, to bf16
    rounding) keeps the base file's bytes and type — for the embedded Q4_1 model, the layers LoRA did not
    touch and the tied embedding/head stay 4-bit, which is fewer bytes for every pass to read."""
    import gguf
    import torch

    if weight_type not in WEIGHT_TYPES:
        raise ValueError(f"weight_type must be one of {', '.join(WEIGHT_TYPES)}, got {weight_type!r}")
    cfg = model.config
    reader = gguf.GGUFReader(str(base_gguf))
    arch = bytes(reader.fields["general.architecture"].parts[-1]).decode()
    if arch != "llama":
        raise ValueError(f"{base_gguf}: GGUF export supports the llama architecture, not {arch!r}")
    names = gguf.get_tensor_name_map(gguf.MODEL_ARCH.LLAMA, cfg.num_hidden_layers)
    state = {}
    for hf_name, t in model.state_dict().items():
        if hf_name == "lm_head.weight" and getattr(cfg, "tie_word_embeddings", False):
            continue
        gname = names.get_name(hf_name, try_suffixes=(".weight", ".bias"))
        if gname is None:
            raise ValueError(f"no GGUF name for the model tensor {hf_name!r}")
        w = t.detach().to(torch.float32).numpy()
        if gname.startswith("blk.") and ".attn_q." in gname:
            w = _permute(w, cfg.num_attention_heads)
        elif gname.startswith("blk.") and ".attn_k." in gname:
            w = _permute(w, cfg.num_key_value_heads)
        state[gname] = w
    wanted = {t.name for t in reader.tensors}
    if set(state) != wanted:
        raise ValueError(f"model and {Path(base_gguf).name} hold different tensors: "
                         f"{sorted(set(state) ^ wanted)[:6]}")

    out = Path(out)
    # a temp file of its own beside `out`: two processes exporting at once never write into one file
    fd, tmp_name = tempfile.mkstemp(dir=out.parent, prefix=out.name + ".", suffix=".tmp")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        _write(reader, state, arch, weight_type, tmp, keep_unchanged)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return out


def _write(reader, state: dict, arch: str, weight_type: str, tmp: Path, keep_unchanged: bool) -> None:
    import gguf
    import numpy as np

    writer = gguf.GGUFWriter(str(tmp), arch=arch)
    for field in reader.fields.values():
        # the writer adds the architecture and the GGUF.* header fields itself; the file type changes
        if field.name in ("general.architecture", "general.file_type") or field.name.startswith("GGUF."):
            continue
        vtype = field.types[0]
        sub = field.types[-1] if vtype == gguf.GGUFValueType.ARRAY else None
        writer.add_key_value(field.name, field.contents(), vtype, sub_type=sub)
    writer.add_file_type(gguf.LlamaFileType.ALL_F32 if weight_type == "f32"
                         else getattr(gguf.LlamaFileType, "MOSTLY_" + weight_type.upper()))
    for t in reader.tensors:  # the base file's order
        w = state[t.name]
        if keep_unchanged and t.tensor_type not in (gguf.GGMLQuantizationType.F32, gguf.GGMLQuantizationType.F16):
            base = gguf.quants.dequantize(t.data, t.tensor_type).reshape(w.shape)
            # the torch runtime may hold the weights in bf16: "unchanged" is equal to within its rounding
            if np.allclose(base, w, rtol=2 ** -7, atol=1e-6):
                writer.add_tensor(t.name, t.data, raw_dtype=t.tensor_type)
                continue
        if w.ndim == 1 or weight_type == "f32":
            writer.add_tensor(t.name, w.astype(np.float32))
        else:
            qtype = getattr(gguf.GGMLQuantizationType, weight_type.upper())
            writer.add_tensor(t.name, gguf.quants.quantize(w, qtype), raw_dtype=qtype)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
