"""Real models, loaded once per test session (worker.modelhub also caches them per process)."""

import os

import pytest
import torch

from worker.modelhub import encoder_load, lm_load

# One intra-op thread: on the 2-core machine shared with other processes (a Celery worker, other suites), OpenMP
# spin-waits made these tests 13x slower with two threads (167 s vs 13 s). TEST_TORCH_THREADS=0 keeps torch's default.
if threads := int(os.environ.get("TEST_TORCH_THREADS", "1")):
    torch.set_num_threads(threads)


@pytest.fixture(scope="session")
def lm():
    """(model, tokenizer) of the demo LM; the first session on a machine converts the GGUF (~30 s)."""
    return lm_load()


@pytest.fixture(scope="session")
def encoder():
    return encoder_load()
