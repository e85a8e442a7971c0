from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .health import readiness


@require_safe
@never_cache
def healthz(request):
    """The process is up and answers: nothing else is checked, so a busy database never restarts the app server."""
    return JsonResponse({"status": "ok"})


@require_safe
@never_cache
def readyz(request):
    """Whether this process should be sent traffic: 503 names the checks that failed."""
    checks = readiness()
    failing = [name for name, result in checks.items() if not result["ok"]]
    return JsonResponse(
        {"status": "unavailable" if failing else "ready", "failing": failing, "checks": checks},
        status=503 if failing else 200,
    )
