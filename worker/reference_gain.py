"""How much a card's reference answer makes a candidate's words more likely, under the small causal LM
(SmolLM2-135M-Instruct by default).

For each token of the answer: log p(token | question, reference, answer so far) - log p(token | question, answer so
far). Words the reference supports (its facts, restated) gain; words it makes unlikely ("lowers" where the reference
says "increases") lose. The mean over an answer is a pointwise mutual information with the reference, in nats per
token; the grader (quiz/exams/services/grading.py) uses it to tell a correct answer from one that reuses the card's
vocabulary to state something else.

The two contexts are run once per card and their key/value cache reused for every answer of that card, so an answer
costs one pass over its own tokens per context.
"""

from dataclasses import dataclass

import numpy as np
import torch

from worker.modelhub import lm_load

MAX_ANSWER_TOKENS = 1024  # the grader cuts answers at 4,000 characters; this is a guard, not a limit users meet


@dataclass
class TokenGains:
    gains: np.ndarray  # (T,) nats per answer token
    offsets: list[tuple[int, int]]  # (T,) character range of each token in the answer text


def _contexts(question: str, reference: str) -> tuple[str, str]:
    with_reference = f"Question: {question}\nReference answer: {reference}\n\nA candidate's answer:"
    without = f"Question: {question}\n\nA candidate's answer:"
    return with_reference, without


def _answer_logps(model, context_ids: list[int], answers_ids: list[list[int]]) -> list[np.ndarray]:
    """log p of each answer's tokens after the context, reusing the context's cache across answers."""
    out = []
    first = model(torch.tensor([context_ids], device=model.device), use_cache=True)
    cache, last = first.past_key_values, first.logits[0, -1:].float()
    for ids in answers_ids:
        step = model(torch.tensor([ids], device=model.device), past_key_values=cache, use_cache=True)
        cache.crop(-len(ids))  # back to the context alone for the next answer
        logits = torch.cat([last, step.logits[0, :-1].float()])
        logp = torch.log_softmax(logits, dim=-1).gather(1, torch.tensor(ids, device=model.device)[:, None])[:, 0]
        out.append(logp.cpu().numpy())
    return out


@torch.inference_mode()
def answers_token_gains(*, question: str, reference: str, answers: list[str]) -> list[TokenGains]:
    """Per-token gains for several answers to one question (one card), in the order given; an empty answer gets
    an empty array."""
    model, tokenizer = lm_load()
    encoded = [
        tokenizer(" " + text, add_special_tokens=False, return_offsets_mapping=True, truncation=True,
                  max_length=MAX_ANSWER_TOKENS)
        for text in answers
    ]  # fmt: skip
    todo = [i for i, (text, enc) in enumerate(zip(answers, encoded, strict=True)) if text.strip() and enc["input_ids"]]
    results = [TokenGains(np.zeros(0, dtype=np.float32), []) for _ in answers]
    if not todo:
        return results
    with_reference, without = (
        tokenizer(c, add_special_tokens=False)["input_ids"] for c in _contexts(question, reference)
    )
    ids = [encoded[i]["input_ids"] for i in todo]
    supported, plain = _answer_logps(model, with_reference, ids), _answer_logps(model, without, ids)
    gains = [a - b for a, b in zip(supported, plain, strict=True)]
    for i, gain in zip(todo, gains, strict=True):
        offsets = [(max(0, s - 1), max(0, e - 1)) for s, e in encoded[i]["offset_mapping"]]  # the leading space
        results[i] = TokenGains(gain.astype(np.float32), offsets)
    return results
