import re

from django import forms
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce, Lower
from django.utils.translation import gettext_lazy as _

from interventions.models import InterventionPage

from .models import Nomination
from .spam import form_started_token, seconds_since_form_started, sent_too_fast

# How people paste a DOI besides the bare one: as its address or with a "doi:" prefix.
DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)


def interventions_to_choose(language):
    """Each published intervention once (its original page), named as visitors in `language` know it: by its
    translation's title where it has one."""
    translated_title = InterventionPage.objects.live().filter(
        translation_key=OuterRef("translation_key"), locale__language_code=language
    )
    return (
        InterventionPage.objects.live()
        .public()
        .filter(is_translation=False)
        .annotate(label=Coalesce(Subquery(translated_title.values("title")[:1]), "title"))
        .order_by(Lower("label"), "pk")
    )


class InterventionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.label


class NominationForm(forms.ModelForm):
    # The trap: hidden from people by the stylesheet (and from screen readers with it), filled in by bots.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    started = forms.CharField(widget=forms.HiddenInput)

    class Meta:
        model = Nomination
        fields = [*Nomination.SUBMITTED_FIELDS, *Nomination.NOMINATOR_FIELDS]
        field_classes = {"intervention": InterventionChoiceField}
        # Spoken to the nominator; the admin shows the model's own names.
        labels = {
            "kind": _("What you nominate"),
            "nominator_name": _("Your name"),
            "organisation": _("Your organisation"),
            "email": _("Your email address"),
            "consent_to_contact": _("The editors may write to me with questions about this nomination"),
        }
        help_texts = {
            "consent_to_contact": _(
                "We write to you when the status of your nomination changes whether you tick this or not. Tick it if "
                "the editors may also ask you about it, for example for the evaluation report. We use your address "
                "for nothing else and never publish it."
            ),
        }
        widgets = {
            "kind": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 5}),
            "citation": forms.Textarea(attrs={"rows": 3}),
            "url": forms.URLInput,
            "nominator_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "organisation": forms.TextInput(attrs={"autocomplete": "organization"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }

    def __init__(self, *args, language, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.fields["intervention"].queryset = interventions_to_choose(language)
        self.fields["intervention"].empty_label = "—"
        self.fields["country"].choices = [("", "—"), *list(self.fields["country"].choices)[1:]]
        self.initial["started"] = form_started_token()
        self.seconds_open = None
        if self.is_bound:
            self.seconds_open = seconds_since_form_started(self.data.get("started", ""))
            if self.seconds_open is None:
                # Missing, forged or too old: the form goes back with a new time, and what was typed in it.
                self.data = self.data.copy()
                self.data["started"] = form_started_token()

    def caught_by_trap(self):
        return bool(self.data.get("website", "").strip())

    def clean_doi(self):
        return DOI_PREFIX.sub("", self.cleaned_data["doi"].strip())

    def clean(self):
        cleaned_data = super().clean()
        if self.seconds_open is None:
            self.add_error(None, _("This form was open too long or came from elsewhere: please send it again."))
        elif sent_too_fast(self.seconds_open):
            self.add_error(None, _("The form was sent very quickly after it opened: check it and send it again."))
        kind = cleaned_data.get("kind")
        if kind in (Nomination.Kind.STUDY, Nomination.Kind.CORRECTION) and not cleaned_data.get("intervention"):
            self.add_error("intervention", _("Choose the intervention that the study or the correction is about."))
        if kind == Nomination.Kind.INTERVENTION and not cleaned_data.get("country"):
            self.add_error("country", _("Choose the country where it was implemented or evaluated."))
        # An address that was given but refused has its own error already.
        evaluation = [cleaned_data.get(name) or self.has_error(name) for name in ("citation", "doi", "url")]
        if kind in (Nomination.Kind.INTERVENTION, Nomination.Kind.STUDY) and not any(evaluation):
            self.add_error(
                "citation",
                _("Give the evaluation's citation, DOI or web address: the knowledge base lists evaluated work."),
            )
        return cleaned_data
