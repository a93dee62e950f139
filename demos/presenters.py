"""From a stored result and the view a learner picked (query string) to what a result template shows.

Switching layer, head or view re-renders from the stored result; nothing reruns. `decoding_present(result, query)`
gets the whole (small) result. Attention maps run to megabytes (a decoder at 64 tokens: 7 MB of JSON, half a
second to load and decode), so `attention_present(fetch, query)` reads only what it shows: `fetch(path, ...)`
returns the parts of the stored result at those paths, picked out by the database (`fetch(("attentions", 3, 2))`
is one head's map).
"""

from demos.heatmap import heatmap_png_uri, heatmap_svg, token_label
from worker.catalog import STRATEGY_LABELS

ATTENTION_VIEWS = (
    ("head", "One head"),
    ("heads", "All heads of a layer"),
    ("mean", "Average over heads"),
    ("rollout", "Rollout (all layers)"),
)
DECODING_VIEWS = (("compare", "Strategies side by side"), ("next", "Next-token distribution"))
# Token colouring by the model's probability of the token it produced: (lower bound, css class, legend).
PROBABILITY_BINS = (
    (0.9, "p4", "0.9 or more"),
    (0.6, "p3", "0.6 to 0.9"),
    (0.3, "p2", "0.3 to 0.6"),
    (0.1, "p1", "0.1 to 0.3"),
    (0.0, "p0", "under 0.1"),
)


def _choice(query, name: str, options) -> str:
    values = [value for value, _ in options]
    value = query.get(name)
    return value if value in values else values[0]


def _index(query, name: str, count: int, default: int) -> int:
    try:
        value = int(query.get(name, default))
    except (TypeError, ValueError):
        value = default
    return min(max(value, 0), max(count - 1, 0))


def attention_present(fetch, query) -> dict:
    """Two small queries whatever the result's size: the shape, then the one layer or map on show."""
    tokens, n_layers, n_heads, causal, truncated = fetch(("tokens",), ("n_layers",), ("n_heads",), ("causal",),
                                                         ("truncated",))  # fmt: skip
    view = _choice(query, "view", ATTENTION_VIEWS)
    layer = _index(query, "layer", n_layers, n_layers // 2)
    head = _index(query, "head", n_heads, 0)
    present = {
        "views": ATTENTION_VIEWS, "current": view, "layer": layer, "head": head, "layers": range(n_layers),
        "heads": range(n_heads), "n_layers": n_layers, "n_heads": n_heads, "n_tokens": len(tokens),
        "causal": bool(causal), "truncated": bool(truncated),
    }  # fmt: skip
    if view == "heads":
        (maps,) = fetch(("attentions", layer))
        present["thumbnails"] = [{"head": h, "uri": heatmap_png_uri(m, causal=causal)} for h, m in enumerate(maps)]
        return present
    if view == "head":
        (matrix,), caption = fetch(("attentions", layer, head)), f"Layer {layer + 1}, head {head + 1}"
    elif view == "mean":
        (matrix,), caption = fetch(("head_mean", layer)), f"Layer {layer + 1}, average of {n_heads} heads"
    else:
        (matrix,), caption = fetch(("rollout",)), f"Attention rollout through all {n_layers} layers"
    present.update(caption=caption, svg=heatmap_svg(matrix, tokens, causal=causal, caption=caption))
    present["strongest"] = _strongest(matrix, tokens, causal=causal)
    present.update(_row_table(matrix, tokens, causal=causal, row=_index(query, "row", len(tokens), len(tokens) - 1)))
    return present


def _row_table(matrix, tokens, *, causal: bool, row: int) -> dict:
    """One query token's row of the map as plain numbers: the accessible counterpart of the image-only heatmap
    (a screen reader or keyboard cannot hover a cell). The last token by default: in a causal map it sees them all."""
    labels = [token_label(t) for t in tokens]
    weights = matrix[row] if row < len(matrix) else []
    return {
        "row": row,
        "row_label": labels[row] if labels else "",
        "row_options": list(enumerate(labels)),
        "row_weights": [{"position": k + 1, "key": labels[k], "weight": w, "masked": causal and k > row}
                        for k, w in enumerate(weights)],
    }  # fmt: skip


def _is_special(token: str) -> bool:
    token = token.strip()
    return (token.startswith("[") and token.endswith("]")) or (token.startswith("<") and token.endswith(">"))


def _strongest(matrix, tokens, *, causal: bool, count: int = 5) -> list[dict]:
    """The heaviest links between two different words: attention parked on a special token ([CLS], [SEP]) or, in
    a causal map, on the first token (the "attention sink") is left out, as is a token's attention to itself."""
    sinks = {k for k, token in enumerate(tokens) if _is_special(token)} | ({0} if causal else set())
    links = [(w, q, k) for q, row in enumerate(matrix) for k, w in enumerate(row)
             if q != k and k not in sinks and q not in sinks and not (causal and k > q)]  # fmt: skip
    links.sort(reverse=True)
    return [{"query": token_label(tokens[q]), "key": token_label(tokens[k]), "weight": w} for w, q, k in links[:count]]


def _bin(p: float) -> str:
    return next(css for low, css, _ in PROBABILITY_BINS if p >= low)


def _repetition_map(row: dict) -> dict:
    """The strategy's text against itself as a small image: hidden-state cosine similarity where the worker stored
    it, else (runs from before it did) token identity, the same pattern of repeats in plain form."""
    ids = [token["id"] for token in row["tokens"]]
    if not ids:
        return {"repetition_png": "", "repetition_kind": ""}
    if row.get("self_similarity"):
        # Hidden states of one text are all alike to a degree (cosines of 0.3 and up): the colour runs from this
        # map's lowest value to 1, so the repeats stand out from that floor.
        low = min(min(line) for line in row["self_similarity"])
        span = max(100 - low, 1)
        matrix = [[(value - low) / span for value in line] for line in row["self_similarity"]]
        kind = "hidden-state cosine similarity, from this map's lowest to 1"
    else:
        matrix = [[1.0 if a == b else 0.0 for b in ids] for a in ids]
        kind = "same token"
    return {"repetition_png": heatmap_png_uri(matrix), "repetition_kind": kind}


def decoding_present(result: dict, query) -> dict:
    view = _choice(query, "view", DECODING_VIEWS)
    columns = []
    for row in result["compare"]["results"]:
        tokens = [{**token, "css": _bin(token["p"]), "shown": token["token"].replace("\n", "↵\n")}
                  for token in row["tokens"]]  # fmt: skip
        knobs = ", ".join(f"{name} = {value}" for name, value in row["params"].items() if name != "name")
        columns.append(
            {**row, "tokens": tokens, "label": STRATEGY_LABELS.get(row["name"], row["name"]), "knobs": knobs,
             **_repetition_map(row)}
        )  # fmt: skip
    distributions = [
        {**dist, "top": [{**item, "label": token_label(item["token"]), "percent": round(100 * item["p"], 1),
                          "shown": f"{100 * item['p']:.1f}%" if item["p"] >= 0.0005 else "<0.1%"}
                         for item in dist["top"]]}
        for dist in result["next_token"]["distributions"]
    ]  # fmt: skip
    return {
        "views": DECODING_VIEWS,
        "current": view,
        "columns": columns,
        "bins": PROBABILITY_BINS,
        "distributions": distributions,
    }
