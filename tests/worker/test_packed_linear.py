"""oneDNN-prepacked linear layers: the same products as F.linear, only inside the block, fresh after updates."""

import pytest
import torch
import torch.nn.functional as F

from worker.config import config, configure
from worker.packed_linear import linears_prepacked, prepack_available

pytestmark = pytest.mark.skipif(not torch.backends.mkldnn.is_available(), reason="torch built without oneDNN")


class Scaled(torch.nn.Linear):
    """A Linear subclass computes something else than x @ W^T + b, so it is left alone."""

    def forward(self, x):
        return 2 * super().forward(x)


def small_model():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(64, 96), torch.nn.ReLU(), torch.nn.Linear(96, 32, bias=False))


def test_several_rows_give_the_products_of_f_linear():
    model = small_model()
    x = torch.randn(5, 64)
    with torch.inference_mode():
        expected = model(x)
        with linears_prepacked(model):
            assert "forward" in vars(model[0])  # patched
            got = model(x)
            got_3d = model(x.view(5, 1, 64))
    torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(got_3d.view(5, 32), expected, rtol=1e-5, atol=1e-5)


def test_a_single_row_keeps_f_linear_bit_for_bit():
    model = small_model()
    x = torch.randn(1, 1, 64)
    with torch.inference_mode():
        expected = model(x)
        with linears_prepacked(model):
            got = model(x)
    assert torch.equal(got, expected)


def test_the_block_restores_the_layers_even_after_an_error():
    model = small_model()
    with pytest.raises(RuntimeError, match="boom"), linears_prepacked(model):
        raise RuntimeError("boom")
    assert all("forward" not in vars(m) for m in model.modules())


def test_a_weight_updated_in_place_is_packed_again():
    model = small_model()
    x = torch.randn(4, 64)
    with torch.inference_mode(), linears_prepacked(model):
        before = model(x)
    with torch.no_grad():
        model[2].weight.mul_(-1)
    with torch.inference_mode(), linears_prepacked(model):
        after = model(x)
    torch.testing.assert_close(after, -before, rtol=1e-5, atol=1e-5)


def test_subclasses_and_half_precision_models_are_left_alone():
    scaled = torch.nn.Sequential(Scaled(8, 8))
    with linears_prepacked(scaled):
        assert "forward" not in vars(scaled[0])
    half = small_model().to(torch.bfloat16)
    assert not prepack_available(half)
    with linears_prepacked(half):
        assert "forward" not in vars(half[0])


def test_the_setting_switches_packing_off():
    before = config()
    configure(cpu_prepack=False)
    try:
        model = small_model()
        assert not prepack_available(model)
        with linears_prepacked(model):
            assert "forward" not in vars(model[0])
    finally:
        configure(cpu_prepack=before.cpu_prepack)


def test_the_demo_lm_gives_the_same_logits_packed(lm):
    model, tokenizer = lm
    ids = tokenizer(["a hash table", "the attention layer", "top-p sampling"], return_tensors="pt", padding=True)
    with torch.inference_mode():
        expected = model(**ids).logits
        with linears_prepacked(model):
            got = model(**ids).logits
    assert got.shape == expected.shape
    torch.testing.assert_close(got, expected, rtol=1e-4, atol=1e-4)
    assert F.softmax(got[:, -1], -1).argmax(-1).tolist() == F.softmax(expected[:, -1], -1).argmax(-1).tolist()
