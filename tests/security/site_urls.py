"""Every URL of the site, from the URL resolver: new URLs are covered by the attack tests without editing them.

A URL argument needs a sample in SAMPLES (or ROUTE_SAMPLES for a name that means different things on different
routes); a new argument name without one fails the tests with a message naming it.
"""

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

# arguments naming one user's own rows: someone else's is a 404
PRIVATE = {"interview_id", "quiz_id", "attempt_id", "answer_id"}
CAPABILITY = {"run_id"}  # a demo run's unguessable id is its shareable permanent link (public by design)


@dataclass(frozen=True)
class Route:
    route: str
    name: str | None
    arguments: tuple[str, ...]

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api/")

    @property
    def is_admin(self) -> bool:
        return self.route.startswith("admin/")

    def url(self, samples: dict) -> str:
        def sample(name: str) -> str:
            value = ROUTE_SAMPLES.get((self.route.split("/", 1)[0], name), samples.get(name))
            if value is None:
                raise LookupError(f"no sample for URL argument {name!r} of {self.route!r}: add one to SAMPLES")
            return str(value)

        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: sample(m.group(1)), self.route)
        path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: sample(m.group(1)), path)
        return "/" + path.replace("^", "").replace("$", "")


ROUTE_SAMPLES = {("demos", "slug"): "attention", ("exercises", "slug"): "iso-exercise", ("admin", "url"): "bank/card/",
                 ("admin", "app_label"): "bank"}  # fmt: skip


def site_routes() -> list[Route]:
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                names = re.findall(r"<(?:\w+:)?(\w+)>", route) + re.findall(r"\(\?P<(\w+)>", route)
                yield Route(route, pattern.name, tuple(names))

    return list(walk(get_resolver().url_patterns))
