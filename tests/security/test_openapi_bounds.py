"""Every input of the API states its bounds in /api/openapi.json (strings a length or a set of values, integers a
range, lists a size), and every operation the 4xx answers it can give. A new endpoint without them fails here."""

import pytest

from quizsite.api import api

pytestmark = pytest.mark.django_db
DOCUMENT = None


def document() -> dict:
    global DOCUMENT
    DOCUMENT = DOCUMENT or api.get_openapi_schema()
    return DOCUMENT


def resolve(schema: dict) -> dict:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        return document()["components"]["schemas"][name]
    return schema


def unbounded(schema: dict, where: str) -> list[str]:
    """The places in `schema` where a value of any size would be accepted."""
    schema = resolve(schema)
    problems = []
    for option in schema.get("anyOf", []) + schema.get("allOf", []):
        problems += unbounded(option, where)
    kind = schema.get("type")
    if "enum" in schema or "const" in schema or kind in ("boolean", "null"):
        return problems
    if kind == "string" and "maxLength" not in schema and schema.get("format") not in ("uuid", "date-time"):
        problems.append(f"{where}: string without maxLength")
    if kind == "integer" and not (
        {"minimum", "exclusiveMinimum"} & set(schema) and {"maximum", "exclusiveMaximum"} & set(schema)
    ):
        problems.append(f"{where}: integer without a range")
    if kind == "array":
        if "maxItems" not in schema:
            problems.append(f"{where}: list without maxItems")
        problems += unbounded(schema.get("items", {}), f"{where}[]")
    if kind == "object":
        properties = schema.get("properties")
        if properties is None and "maxProperties" not in schema:
            problems.append(f"{where}: object without properties or maxProperties")
        for name, value in (properties or {}).items():
            problems += unbounded(value, f"{where}.{name}")
    return problems


def operations():
    for path, methods in document()["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_every_parameter_and_body_field_states_its_bounds():
    problems = []
    for path, method, operation in operations():
        where = f"{method.upper()} {path}"
        for parameter in operation.get("parameters", []):
            problems += unbounded(parameter["schema"], f"{where} {parameter['in']} {parameter['name']}")
        for content in operation.get("requestBody", {}).get("content", {}).values():
            problems += unbounded(content["schema"], f"{where} body")
    assert not problems, "\n".join(problems)


def test_every_operation_documents_the_4xx_it_can_give():
    missing = []
    for path, method, operation in operations():
        codes = {str(code) for code in operation["responses"]}
        expected = {"400", "422"} | ({"401"} if operation.get("security") else set())
        expected |= {"403"} if operation.get("security") and method != "get" else set()
        expected |= {"404"} if "{" in path else set()
        if expected - codes:
            missing.append(f"{method.upper()} {path}: {sorted(expected - codes)}")
    assert not missing, "\n".join(missing)
