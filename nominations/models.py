from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from interventions.fields import LanguageField
from interventions.models import InterventionPage, doi_validator, url_field


class Nomination(models.Model):
    """What a visitor proposes through the public form. Nothing of it is published: editors triage it here, and an
    accepted nomination becomes a draft that goes through the review workflow like any other change."""

    # What the visitor tells about the intervention or study, and about themselves: the public form's fields, shown
    # read-only to the editors.
    SUBMITTED_FIELDS = ["kind", "intervention", "name", "country", "description", "citation", "doi", "url"]
    NOMINATOR_FIELDS = ["nominator_name", "organisation", "email", "consent_to_contact"]

    class Kind(models.TextChoices):
        INTERVENTION = "intervention", _("A new intervention")
        STUDY = "study", _("A new study of an intervention in the knowledge base")
        CORRECTION = "correction", _("A correction to a record")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        IN_REVIEW = "in_review", _("In review")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        DUPLICATE = "duplicate", _("Duplicate")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.INTERVENTION)
    intervention = models.ForeignKey(
        InterventionPage,
        verbose_name=_("intervention"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("For a new study or a correction: the record it is about."),
    )
    name = models.CharField(
        _("name"),
        max_length=255,
        help_text=_("The intervention's name; for a study, its title; for a correction, a few words on what is wrong."),
    )
    country = CountryField(_("country"), blank=True, help_text=_("Where it was implemented or evaluated."))
    # As long as an intervention's summary, which an accepted nomination's text becomes.
    description = models.TextField(
        _("what it is"),
        max_length=1000,
        help_text=_(
            "In a few sentences: what it does, for whom and where; for a correction, what is wrong and what is right."
        ),
    )
    citation = models.TextField(_("citation of the evaluation"), max_length=2000, blank=True)
    doi = models.CharField(
        _("DOI of the evaluation"),
        max_length=255,
        blank=True,
        validators=[doi_validator],
        help_text=_("For example 10.1093/qje/qjw033; its address at doi.org will do."),
    )
    url = url_field(_("web address of the evaluation"), max_length=2000)
    nominator_name = models.CharField(_("nominator's name"), max_length=255)
    organisation = models.CharField(_("organisation"), max_length=255, blank=True)
    email = models.EmailField(_("email address"))
    consent_to_contact = models.BooleanField(_("editors may write with questions"), default=False)
    # The language the nominator wrote in, and in which they are written to.
    language = LanguageField(_("language"), max_length=10, default=settings.LANGUAGE_CODE, editable=False)
    created_at = models.DateTimeField(_("received"), auto_now_add=True)

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"is_active": True},
    )
    editor_notes = models.TextField(_("editors' notes"), blank=True, help_text=_("Never shown to the nominator."))
    # The draft that accepting the nomination created or changed.
    page = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        ordering = ["-created_at"]

    def __str__(self):
        return self.name
