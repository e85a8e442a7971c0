import logging

from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods, require_safe

from .forms import NominationForm
from .spam import count_sent, rate_limited

logger = logging.getLogger(__name__)


@require_http_methods(["GET", "HEAD", "POST"])
def nominate(request):
    """The public form. What it stores is only ever read by editors, in the admin."""
    language = request.LANGUAGE_CODE
    form = NominationForm(request.POST if request.method == "POST" else None, language=language)
    if not form.is_bound:
        return TemplateResponse(request, "nominations/nominate.html", {"form": form})
    if form.caught_by_trap():
        # Thanked like anyone else, so that the bot learns nothing; nothing is stored.
        logger.info("A nomination filled the trap field and was dropped.")
        return redirect("nomination_thanks")
    if rate_limited(request):
        return TemplateResponse(request, "nominations/nominate.html", {"form": form, "rate_limited": True}, status=429)
    if form.is_valid():
        form.instance.language = language
        form.save()
        count_sent(request)
        return redirect("nomination_thanks")
    return TemplateResponse(request, "nominations/nominate.html", {"form": form}, status=400)


@require_safe
def thanks(request):
    return TemplateResponse(request, "nominations/thanks.html")
