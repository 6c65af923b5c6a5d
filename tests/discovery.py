"""Every URL pattern of the app, found from the URLconf, so a new view cannot escape a test."""

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    name: str  # "quiz:question"
    arguments: tuple[str, ...]  # ("pk", "position")


def routes(namespaces=("quiz",)) -> list[Route]:
    found = []

    def walk(patterns, namespace):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, entry.namespace or namespace)
            elif isinstance(entry, URLPattern) and namespace in namespaces and entry.name:
                arguments = tuple(getattr(entry.pattern, "converters", {}))
                name = f"{namespace}:{entry.name}" if namespace else entry.name
                found.append(Route(name, arguments))

    walk(get_resolver().url_patterns, None)
    return found


def attempt_routes() -> list[Route]:
    """The routes that name an attempt (they take its ``pk``)."""
    return [route for route in routes() if "pk" in route.arguments]
