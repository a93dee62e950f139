"""Helpers for the real-browser tests."""


def htmx_settled(page) -> None:
    """Wait until htmx has finished its swaps. Content it swaps in is wired up (its hx-* attributes processed)
    only when it settles, a moment later: a test acting faster than any person would otherwise find a select or
    a button that does nothing yet."""
    page.wait_for_function(
        "() => window.htmx && !document.querySelector('.htmx-swapping, .htmx-settling, .htmx-added')"
    )
