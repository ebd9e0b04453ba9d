"""Which HTTP methods a view answers, for function views.

Django's `require_GET` and `require_http_methods(["GET", "POST"])` answer HEAD and OPTIONS with
405. HEAD is GET without the body (RFC 9110 9.3.2; load balancers, uptime monitors and link
checkers use it), and OPTIONS asks which methods a URL allows: Django's class-based views
answer both, and these decorators make function views do the same.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed

logger = logging.getLogger("django.request")


def allow_methods(*methods: str) -> Callable:
    """Let the view answer `methods` (HEAD wherever GET is, answered as GET: the server sends
    no body), OPTIONS with 200 and the Allow header, and anything else with 405."""
    allowed = [method.upper() for method in methods]
    if "GET" in allowed and "HEAD" not in allowed:
        allowed.append("HEAD")
    allowed.append("OPTIONS")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def answer(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method == "OPTIONS":
                response = HttpResponse(headers={"Allow": ", ".join(allowed)})
                response["Content-Length"] = "0"
                return response
            if request.method not in allowed:
                logger.warning(
                    "Method Not Allowed (%s): %s",
                    request.method,
                    request.path,
                    extra={"status_code": 405, "request": request},
                )
                return HttpResponseNotAllowed(allowed)
            return view(request, *args, **kwargs)

        return answer

    return decorator


# A page or file that is only read.
read_only = allow_methods("GET")
# A page with a form that posts back to it.
page_with_form = allow_methods("GET", "POST")
# An action a form posts to.
post_only = allow_methods("POST")
