"""The API object: django-ninja's, with the 4xx answers every operation can give written into /api/openapi.json.

Django-ninja documents only the responses an endpoint declares; the answers that come from the layers around it
(the input policy's 400, 401 without a session, 403 on a failed CSRF check, 404 for an id that is not yours,
422 for a request that does not match the schema) are added here once, for every operation.
"""

from ninja import NinjaAPI

_ERROR = {"type": "object", "properties": {"detail": {"type": "string", "maxLength": 2000}}, "required": ["detail"]}
_INPUT_REFUSED = {
    "type": "object",
    "properties": {
        "detail": {"type": "string", "maxLength": 2000},
        "param": {"type": "string", "maxLength": 200},
        "error": {"type": "string", "maxLength": 2000},
    },
    "required": ["detail"],
}
_VALIDATION = {
    "type": "object",
    "properties": {"detail": {"type": "array", "items": {"type": "object"}}},
    "required": ["detail"],
}
COMMON = {
    "ErrorDetail": _ERROR,
    "InputRefused": _INPUT_REFUSED,
    "ValidationErrors": _VALIDATION,
}


def _json(ref: str, description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
    }


class DocumentedNinjaAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {}).update(COMMON)
        for path, operations in schema["paths"].items():
            for method, operation in operations.items():
                responses = operation.setdefault("responses", {})
                extra = {
                    "400": _json("InputRefused", "Refused input: a NUL or control character, a number out of range, "
                                                 "or a body that is not JSON."),
                    "422": _json("ValidationErrors", "The request does not match this operation's schema."),
                }  # fmt: skip
                if operation.get("security"):
                    extra["401"] = _json("ErrorDetail", "Not logged in.")
                    if method != "get":
                        extra["403"] = _json("ErrorDetail", "The CSRF check failed (send the X-CSRFToken header).")
                if "{" in path:
                    extra["404"] = _json("ErrorDetail", "No such item, or it belongs to someone else.")
                for status, response in extra.items():
                    if int(status) not in responses and status not in responses:  # ninja's own keys are ints
                        responses[int(status)] = response
        return schema
