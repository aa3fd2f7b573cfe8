"""A tiny random Llama + small BPE tokenizer with a ChatML template, built in-process.

Used by unit tests (and nowhere in production) so training and serving mechanics can be exercised
in seconds without any downloaded weights. It lives in the package, not in tests/, so every test
module and the benchmark scripts build it the same way.
"""

from __future__ import annotations

CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)

_CORPUS_SEED = [
    "multiply: 256 * 4 -> 1024", "add: 2 + 3 -> 5", "divide: (54+23)/2 -> 38.5", "subtract: 10 - 4 -> 6",
    "word_problem: eggs:16 | -3 -4 *2 -> 18", "schedule: Alice:2hr,Bob:1hr | no_overlap -> Alice:9-11,Bob:11-12",
    "time: Asia/Tokyo -> 14:30 JST", "chat: ->", "What is 256 times 4? Please answer briefly.",
    "Janet has 16 eggs, eats 3, bakes 4, sells the rest for $2. How much does she make?",
    "Current time in Tokyo", "Tell me a joke", "What's the capital of France? Be brief",
    "You are a router. Pick one expert and write its spec.",
    "0123456789 +-*/().,:;|%$?!'\"<>_=[]{} abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ",
]


def tiny_tokenizer(vocab_size: int = 400, extra_text: list[str] | None = None):
    """A byte-level BPE tokenizer trained on a few routing strings; ChatML special tokens."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE(unk_token=None))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, special_tokens=specials, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
    )
    tok.train_from_iterator(_CORPUS_SEED * 4 + list(extra_text or []), trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, eos_token="<|im_end|>", bos_token="<|im_start|>", pad_token="<|endoftext|>",
        unk_token="<|endoftext|>",
    )
    fast.chat_template = CHATML_TEMPLATE
    return fast


def tiny_llama(tokenizer, *, layers: int = 2, hidden: int = 64, seed: int = 0):
    """A randomly initialised 2-layer Llama sized to the tokenizer."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(seed)
    config = LlamaConfig(
        vocab_size=len(tokenizer), hidden_size=hidden, intermediate_size=hidden * 2, num_hidden_layers=layers,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=2048,
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id, tie_word_embeddings=True,
    )
    model = LlamaForCausalLM(config)
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    return model


def save_tiny(path, **kw) -> str:
    """Build and save a tiny model + tokenizer to `path` (an HF directory); return the path."""
    tok = tiny_tokenizer(**kw)
    model = tiny_llama(tok)
    model.save_pretrained(path)
    tok.save_pretrained(path)
    return str(path)
