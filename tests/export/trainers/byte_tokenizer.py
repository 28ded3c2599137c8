"""A byte-level tokenizer that stands in for a model family's tokenizer in the trainer tests.

No model is downloaded in tests, so each family's tokenizer is replaced by one whose vocabulary
is the 256 bytes plus that family's special tokens (as single tokens, like the real ones):
`decode(encode(text)) == text` for every text, so the token ids a trainer builds decode back to
exactly the training text it built. Llama's real tokenizer prepends `<|begin_of_text|>` when it
encodes plain text; this one does too, so a trainer that adds special tokens shows it.

Standalone (no toolsim import): the trainer probes import it inside other virtual environments.
"""

from __future__ import annotations

FAMILIES = {
    "qwen2.5": {
        "special": ["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
        "tokens": {"eos_token": "<|im_end|>", "pad_token": "<|endoftext|>"},
        "adds_bos": False,
    },
    "llama3.1": {
        "special": ["<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>",
                    "<|eom_id|>", "<|python_tag|>", "<|finetune_right_pad_id|>"],
        "tokens": {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>", "pad_token": "<|finetune_right_pad_id|>"},
        "adds_bos": True,
    },
}


def byte_tokenizer(family: str, chat_template: str | None = None):
    from tokenizers import (
        AddedToken,
        Tokenizer,
        decoders,
        models,
        pre_tokenizers,
        processors,
    )
    from transformers import PreTrainedTokenizerFast

    spec = FAMILIES[family]
    alphabet = sorted(pre_tokenizers.ByteLevel.alphabet())
    tokenizer = Tokenizer(models.BPE(vocab={ch: i for i, ch in enumerate(alphabet)}, merges=[]))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)
    tokenizer.decoder = decoders.ByteLevel()
    tokenizer.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in spec["special"]])
    if spec["adds_bos"]:
        bos = spec["tokens"]["bos_token"]
        tokenizer.post_processor = processors.TemplateProcessing(
            single=f"{bos} $A", pair=f"{bos} $A {bos} $B", special_tokens=[(bos, tokenizer.token_to_id(bos))]
        )
    fast = PreTrainedTokenizerFast(tokenizer_object=tokenizer, **spec["tokens"])
    if chat_template is not None:
        fast.chat_template = chat_template
    return fast
