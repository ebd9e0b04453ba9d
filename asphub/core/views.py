from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET


@require_GET
def health(request: HttpRequest) -> HttpResponse:
    """Liveness check for load balancers; also the bare baseline the benchmark compares with."""
    return HttpResponse("ok", content_type="text/plain")
