# Before any module of this package imports torch, torchao or transformers (worker/quiet.py says what and why).
from worker.quiet import library_noise_filter

library_noise_filter()
