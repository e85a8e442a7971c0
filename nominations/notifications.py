"""The emails a nominator receives: one each time the editors change the status of the nomination, in the language
the nomination was written in. Django's email backend sends them (settings: the console unless EMAIL_HOST is set)."""

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Nomination

STATUS_MESSAGES = {
    Nomination.Status.NEW: gettext_lazy("It is waiting for an editor to read it."),
    Nomination.Status.IN_REVIEW: gettext_lazy("An editor is now reviewing it."),
    Nomination.Status.ACCEPTED: gettext_lazy(
        "The editors have accepted it. They are preparing the change, which will be published once it has been "
        "reviewed."
    ),
    Nomination.Status.DECLINED: gettext_lazy(
        "The editors have decided not to add it to the knowledge base, usually because the evaluation does not "
        "meet the criteria described on the page on how we rate the evidence."
    ),
    Nomination.Status.DUPLICATE: gettext_lazy(
        "The knowledge base already has it, or someone nominated it before you: the editors follow it up there."
    ),
}


def send_status_email(nomination):
    with translation.override(nomination.language):
        # One line, however the name was typed: a line break in a subject would be refused as a header injection.
        name = Truncator(" ".join(nomination.name.split())).chars(60)
        subject = _("Your nomination “%(name)s”: %(status)s") % {
            "name": name,
            "status": nomination.get_status_display().lower(),
        }
        body = render_to_string(
            "nominations/email/status_changed.txt",
            {"nomination": nomination, "message": STATUS_MESSAGES[nomination.status]},
        )
    send_mail(subject, body, None, [nomination.email])


def notify_status_change(nomination):
    """Emails the nominator once the change is committed: an email cannot be taken back if the transaction is."""
    transaction.on_commit(lambda: send_status_email(nomination))
