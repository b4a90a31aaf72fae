"""Null bytes are refused everywhere, before any view: PostgreSQL cannot store them and answered with a 500."""

from django.http import JsonResponse
from django.utils.translation import gettext as _

JSON_NULL = b"\\u0000"


class NullByteMiddleware:
    """400 for a null byte (raw or JSON-escaped) in the path, the query, a form field or a JSON body."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_null(request):
            return JsonResponse({"detail": _("Null characters are not allowed."), "errors": []}, status=400)
        return self.get_response(request)

    @staticmethod
    def _has_null(request) -> bool:
        if "\x00" in request.path or "\x00" in request.META.get("QUERY_STRING", "") or "%00" in request.META.get(
                "QUERY_STRING", ""):
            return True
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return False
        content_type = request.content_type or ""
        if content_type == "application/json" or content_type.endswith("+json"):
            body = request.body
            return b"\x00" in body or JSON_NULL in body.lower()
        if content_type == "application/x-www-form-urlencoded":
            return any("\x00" in value for values in request.POST.lists() for value in values[1])
        return False
