"""Request and response rules that hold for every page, the admin included."""

from django.http import HttpResponseBadRequest
from django.utils.cache import add_never_cache_headers

FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


def refuse_nul_characters(get_response):
    """A NUL character in a query string or form field is never meaningful, and PostgreSQL
    cannot compare text holding one: refuse it with a 400 before any view runs."""

    def middleware(request):
        query = request.META.get("QUERY_STRING", "")
        nul_in_form = (
            request.method == "POST"
            and request.content_type in FORM_TYPES
            and any("\x00" in value for _, values in request.POST.lists() for value in values)
        )
        if "\x00" in query or "%00" in query or nul_in_form:
            return HttpResponseBadRequest("Request refused: it contains a NUL character.")
        return get_response(request)

    return middleware


def private_pages(get_response):
    """Pages for a signed-in user hold their answers: no shared or browser cache keeps them.
    A page that never read the session (so never the user) holds nothing of anyone's, and
    asking whether someone is signed in would cost it the session and user queries."""

    def middleware(request):
        response = get_response(request)
        private = request.session.accessed and request.user.is_authenticated
        if private and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response

    return middleware
