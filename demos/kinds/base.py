"""What every demo kind is: its fields, how it runs in the worker, how its result is shown (one module per kind
beside this one; demos/kinds/__init__.py lists them).

Adding a kind (say "lora"):

1. Model code in `worker/<name>.py`: a function with keyword-only arguments returning a JSON-able dict; the lists
   and bounds both sides need (models, variants, ranges) go in worker/catalog.py, which imports no torch.
2. Declare the kind in its own module `demos/kinds/<name>.py` and add it to the tuple in demos/kinds/__init__.py
   (that tuple is the order of the demo index)::

       LORA = DemoKind(
           slug="lora", title="LoRA parameter counts", summary="One line for the demo index card.",
           fields=(Int(name="rank", label="Rank r", default=8, low=1, high=256), ...),  # bounds: demos.params
           run=_lora_run,            # (params, progress) -> dict; import the worker module INSIDE it, so the
                                     # web process never imports torch; call progress(done, total, label) now
                                     # and then: it moves the bar and enforces the soft time limit (the solo
                                     # pool cannot)
           model_name=lambda params: "",   # part of the cache key; "" when no model is loaded
           result_template="demos/lora/_result.html",  # gets `run`, `result` and `view` (no `result` with
                                                       # present_parts)
           intro_template="demos/lora/_intro.html",    # optional: what to look at, shown on the demo page
           present=None,             # optional (result, query) -> dict `view`: pickers re-rendered by GET, no rerun
           present_parts=None,       # instead of `present` for results of megabytes: (fetch, query) -> `view`,
                                     # fetch(("key", 0), ...) reads only those parts (demos/presenters.py)
       )

3. The slug is what bank cards name in `demo:` (checked against KINDS when the bank loads) and the demo page's URL.
4. Tests: tests/demos/test_kinds_<name>.py, one per bound in the style of tests/demos/test_validation.py, one real
   run through `live_worker`.

Everything else (cache, rate limits, queue, progress bar, permanent links, history, API) comes with the platform.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlencode

from demos.params import ERR_NOT_OBJECT, ERR_UNKNOWN_PARAM, DemoParamError, Field

TEXT_MAX_CHARS = 500
SEED_MAX = 2**31 - 1


class Progress(Protocol):
    """`partial`: the result so far, in the final result's shape, for the page to show while the run goes on."""

    def __call__(self, done: float, total: float = 1, label: str = "", partial: dict | None = None) -> None: ...


@dataclass(frozen=True, kw_only=True)
class DemoKind:
    slug: str
    title: str
    summary: str
    fields: tuple[Field, ...]
    run: Callable[[dict, Progress], dict]
    result_template: str
    intro_template: str = ""
    model_name: Callable[[dict], str] = lambda params: ""
    present: Callable[[dict, Any], dict] | None = None
    present_parts: Callable[[Callable[..., list], Any], dict] | None = None

    def validate(self, params) -> dict:
        """Complete, clean parameters (defaults filled in), or DemoParamError naming the first bad one."""
        if not isinstance(params, dict):
            raise DemoParamError("params", ERR_NOT_OBJECT)
        names = {field.name for field in self.fields}
        for name in params:
            if name not in names:
                raise DemoParamError(name, ERR_UNKNOWN_PARAM)
        return {f.name: f.clean(params[f.name]) if f.name in params else f.default for f in self.fields}

    def params_from_query(self, query, *, submitted: bool = False) -> dict:
        """Raw values present in a QueryDict (a pre-filling link, or a `submitted` form), for `validate`."""
        raw = {field.name: field.from_query(query, submitted=submitted) for field in self.fields}
        return {name: value for name, value in raw.items() if value is not None}

    def prefill(self, params: dict) -> dict:
        """The valid values among `params`, the others dropped (a link or a card may be stale). Never raises."""
        values = {}
        for field in self.fields:
            if field.name in params:
                try:
                    values[field.name] = field.clean(params[field.name])
                except DemoParamError:
                    pass
        return values

    def initial(self, query) -> dict:
        """The form's values: the defaults, overridden by the valid values a link carries."""
        return {field.name: field.default for field in self.fields} | self.prefill(self.params_from_query(query))

    def query_string(self, params: dict) -> str:
        """The demo page's pre-fill for these parameters (the inverse of `initial`)."""
        return urlencode({f.name: f.display(params[f.name]) for f in self.fields if f.name in params})
