"""The JSON API at /api/v1/ (django-ninja; schema at /api/v1/openapi.json, docs at /api/v1/docs).

Who it is for: apps, scripts and other non-browser clients. The cart lives in the Django session, exactly as for the
HTML shop, so a client keeps the `sessionid` cookie it gets back and sends it with every request.

CSRF: the API has no authentication scheme, so django-ninja does not check CSRF tokens (its default) and clients
need not fetch one. A hostile web page still cannot drive a shopper's session through it: bodies must be sent as
`Content-Type: application/json` (JsonParser below), which a cross-site HTML form cannot produce and cross-site
fetch() can only send after a CORS preflight that this shop never grants; PATCH and DELETE need a preflight anyway.

Errors are always JSON `{"detail": "<message for people>", "errors": [...]}` with 404, 409 (out of stock), 422 (bad
input; nothing was changed) or 429 (too many orders from one address).
"""

import json

from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import ValidationError
from ninja.parser import Parser

from steadfast.api import cart, catalog, checkout, lifeboat


class JsonParser(Parser):
    def parse_body(self, request):
        if request.content_type != "application/json":
            # Refusing form and text bodies is what keeps cross-site pages out (see the module docstring).
            raise ValueError("request body must be sent with Content-Type: application/json")
        return json.loads(request.body)


ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}
INPUT_ERRORS = {
    "400": "The body is not JSON, not sent as application/json, or contains a null character.",
    "422": "Invalid input (body, query or path parameter); nothing was changed.",
}


class SteadfastAPI(NinjaAPI):
    """Lists in the schema the statuses every operation with input really returns: 400 from the body parser (and
    the null-character guard in front of every view), 422 from validation. Fuzzing (test_schemathesis.py) holds
    the schema to this."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                if not (operation.get("parameters") or operation.get("requestBody")):
                    continue
                responses = operation.setdefault("responses", {})
                for status, description in INPUT_ERRORS.items():
                    responses.setdefault(int(status), {"description": description,
                                                       "content": {"application/json": {"schema": ERROR_REF}}})
        return schema


api = SteadfastAPI(
    title="Steadfast API",
    version="1",
    description="Catalog, cart, checkout and order status of the shop. Money is a string decimal plus a currency.",
    urls_namespace="api",
    parser=JsonParser(),
)


@api.exception_handler(ValidationError)
def validation_error(request, exc):
    problems = [{"field": _field(error.get("loc", ())), "message": _message(error)} for error in exc.errors]
    summary = "; ".join(f"{p['field']}: {p['message']}" if p["field"] else p["message"] for p in problems)
    detail = _("Invalid input: %(problems)s") % {"problems": summary}
    return api.create_response(request, {"detail": detail, "errors": problems}, status=422)


def _field(loc) -> str:
    # ("body", "payload", "contact", "email") -> "contact.email"; ("query", "page") -> "page"
    parts = loc[2:] if loc[:1] == ("body",) else loc[1:]
    return ".".join(str(part) for part in parts)


def _message(error) -> str:
    return error.get("msg", "").removeprefix("Value error, ")


api.add_router("/", catalog.router)
api.add_router("/cart", cart.router)
api.add_router("/", checkout.router)
api.add_router("/", lifeboat.router)
