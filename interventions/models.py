from operator import attrgetter

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import InvalidPage, Paginator
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator, URLValidator
from django.db import models
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.utils.functional import cached_property
from django.utils.text import capfirst, format_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.forms import WagtailAdminModelForm, WagtailAdminPageForm
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from .citations import bibtex, ris
from .fields import ChoiceListField, CountryListField, StringListField, country_names
from .headline import headline
from .vocabularies import (
    EVIDENCE_RATING_MEANINGS,
    EVIDENCE_RATING_RANK,
    STUDY_DESIGN_MEANINGS,
    STUDY_DESIGN_RANK,
    Direction,
    EffectMetric,
    EvidenceRating,
    Gender,
    PublicationType,
    StudyDesign,
)

slug_validator = RegexValidator(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
    _("Use lowercase letters, digits and single hyphens, e.g. 'violent-crime'."),
)
currency_validator = RegexValidator(r"^[A-Z]{3}$", _("Use a three-letter ISO 4217 code, e.g. USD."))
doi_validator = RegexValidator(
    r"^10\.[0-9]{4,9}/\S+$", _("A DOI starts with '10.' and a registrant code, e.g. 10.1093/qje/qjw033.")
)
year_validators = [MinValueValidator(1900), MaxValueValidator(2100)]

CHANGE_NOTE_MAX_LENGTH = 500

RICH_TEXT_FEATURES = ["h2", "h3", "h4", "bold", "italic", "ol", "ul", "link"]

# An intervention's EMMIE texts beside its effect and cost: how it works, where and for whom, what it takes, and its
# relevance for the region.
EMMIE_FIELDS = ["mechanism", "moderators", "implementation", "transferability"]

# On Elasticsearch, texts are also indexed through a stemming analyzer per language (subfields .en, .es, .pt, .fr).
STEMMED = {
    "es_extra": {
        "fields": {
            code: {"type": "text", "analyzer": f"kb_{name}"} for code, name in settings.STEMMED_LANGUAGES.items()
        }
    }
}


def help_list(meanings):
    return " ".join(f"{value.label}: {meaning}" for value, meaning in meanings.items())


def url_field(verbose_name, blank=True, **options):
    # The interchange format bounds no URL's length, so neither does the database.
    return models.TextField(verbose_name, blank=blank, validators=[URLValidator()], **options)


def citations_response(text, content_type, filename):
    response = HttpResponse(text, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class VocabularyTermForm(WagtailAdminModelForm):
    """One label field for each language of settings.LANGUAGES, kept together in the term's `labels`: a language
    added to the settings gets its field without a migration."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, _name in settings.LANGUAGES:
            self.fields[label_field(code)].initial = self.instance.labels.get(code, "")

    def clean(self):
        cleaned_data = super().clean()
        labels = {code: cleaned_data.get(label_field(code), "").strip() for code, _name in settings.LANGUAGES}
        self.instance.labels = {code: label for code, label in labels.items() if label}
        return cleaned_data


def label_field(language):
    return f"label_{language}"


VocabularyTermForm.base_fields.update(
    {
        label_field(code): forms.CharField(
            label=format_lazy(_("label ({language})"), language=name),
            max_length=255,
            required=code == settings.LANGUAGE_CODE,
        )
        for code, name in settings.LANGUAGES
    }
)


class VocabularyTerm(index.Indexed, models.Model):
    """A term of a managed vocabulary, labelled in every interface language."""

    slug = models.CharField(_("slug"), max_length=100, unique=True, validators=[slug_validator])
    # {language code: label} for the languages of settings.LANGUAGES; the default language's label is required.
    labels = models.JSONField(_("labels"), default=dict)

    base_form_class = VocabularyTermForm
    panels = [FieldPanel("slug"), *(FieldPanel(label_field(code)) for code, _name in settings.LANGUAGES)]
    search_fields = [
        index.SearchField("label_text"),
        index.AutocompleteField("label_text"),
        index.FilterField("slug"),
    ]

    class Meta:
        abstract = True
        # By slug, a column that modelcluster can also sort unsaved terms by (it cannot read a JSON key), so that a
        # page's terms come in one order in its form, its revisions and its queries.
        ordering = ["slug"]

    def __str__(self):
        return self.label

    @property
    def label(self):
        """The label in the active language, otherwise in the default one."""
        language = (get_language() or settings.LANGUAGE_CODE)[:2]
        return self.labels.get(language) or self.labels.get(settings.LANGUAGE_CODE, "")

    @property
    def label_text(self):
        """Every label once, for the search."""
        return "\n".join(dict.fromkeys(label for label in self.labels.values() if label))

    @staticmethod
    def label_from_slug(slug):
        return slug.replace("-", " ").capitalize()


class Pillar(VocabularyTerm):
    class Meta(VocabularyTerm.Meta):
        verbose_name = _("pillar")
        verbose_name_plural = _("pillars")


class InterventionType(VocabularyTerm):
    class Meta(VocabularyTerm.Meta):
        verbose_name = _("intervention type")
        verbose_name_plural = _("intervention types")


class Setting(VocabularyTerm):
    class Meta(VocabularyTerm.Meta):
        verbose_name = _("setting")
        verbose_name_plural = _("settings")


class TargetGroup(VocabularyTerm):
    class Meta(VocabularyTerm.Meta):
        verbose_name = _("target group")
        verbose_name_plural = _("target groups")


class OutcomeDomain(VocabularyTerm):
    class Meta(VocabularyTerm.Meta):
        verbose_name = _("outcome domain")
        verbose_name_plural = _("outcome domains")


class RecordPage(Page):
    """A page that the public search lists: in each language a visitor sees its translation into that language
    where one exists, otherwise its original."""

    # The first page of a set of translations is the original; the others translate it. Set once, on creation.
    is_translation = models.BooleanField(default=False, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self._state.adding:
            self.is_translation = type(self).objects.filter(translation_key=self.translation_key).exists()
        return super().save(*args, **kwargs)


class InterventionIndexPage(Page):
    intro = RichTextField(_("introduction"), blank=True, features=RICH_TEXT_FEATURES)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["interventions.InterventionPage"]
    parent_page_types = ["home.HomePage"]

    PAGE_SIZE = 24

    class Meta:
        verbose_name = _("intervention index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Public lists leave out private pages for every visitor, as the search does (search.visibility).
        interventions = with_headline_data(InterventionPage.objects.child_of(self).live().public().order_by("title"))
        # In pages, so that the list stays within a page's weight budget however many records there are; a page
        # number that does not exist is not found.
        try:
            context["interventions"] = Paginator(interventions, self.PAGE_SIZE).page(request.GET.get("page", 1))
        except InvalidPage as error:
            raise Http404(str(error)) from error
        return context

    def route(self, request, path_components):
        """An intervention not yet translated into this index's language is served in its original language (its
        template says so) rather than not found."""
        try:
            return super().route(request, path_components)
        except Http404:
            if not path_components:
                raise
            originals = InterventionPage.objects.live().filter(slug=path_components[0]).exclude(locale=self.locale)
            original = originals.order_by("pk").first()
            if original is None or original.get_translation_or_none(self.locale) is not None:
                raise
            return original.specific.route(request, path_components[1:])


def study_reference_errors(study_keys, outcome_study_keys, bcr_source_study):
    """Where the studies of one intervention repeat a key, or its outcomes or benefit-cost ratio cite a study
    it does not have. Yields (field, position, message); position is the item's index in its list."""
    seen = set()
    for position, key in enumerate(study_keys):
        if key in seen:
            yield (
                "studies",
                position,
                _("Another study of this intervention already has the key '%(key)s'.") % {"key": key},
            )
        seen.add(key)
    for position, key in enumerate(outcome_study_keys):
        if key and key not in seen:
            yield "outcomes", position, _("No study of this intervention has the key '%(key)s'.") % {"key": key}
    if bcr_source_study and bcr_source_study not in seen:
        yield (
            "bcr_source_study",
            None,
            _("No study of this intervention has the key '%(key)s'.") % {"key": bcr_source_study},
        )


class InterventionPageForm(WagtailAdminPageForm):
    """Checks that outcomes and the benefit-cost ratio cite studies entered on the same page, and that a change of
    the evidence rating comes with a public note for the change log (interventions.change_log)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The live revision still holds the note it was published with, and that note is logged already: an edit
        # starts with an empty one. A draft not yet published keeps its note, for the reviewer to read and publish.
        if self.instance.pk and self.instance.live and not self.instance.has_unpublished_changes:
            self.initial["public_change_note"] = ""

    def clean(self):
        cleaned_data = super().clean()
        self.check_change_note(cleaned_data)
        studies, outcomes = self.formsets["studies"], self.formsets["outcomes"]
        if not (studies.is_valid() and outcomes.is_valid()):
            return cleaned_data
        study_forms = [form for form in studies.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]
        outcome_forms = [form for form in outcomes.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]
        errors = study_reference_errors(
            [form.cleaned_data["key"] for form in study_forms],
            [form.cleaned_data.get("study_key") for form in outcome_forms],
            cleaned_data.get("bcr_source_study"),
        )
        for field, position, message in errors:
            if field == "studies":
                study_forms[position].add_error("key", message)
            elif field == "outcomes":
                outcome_forms[position].add_error("study_key", message)
            else:
                self.add_error(field, message)
        return cleaned_data

    def check_change_note(self, cleaned_data):
        """A new rating for a live page needs its public note; a page never published gets a "new" entry instead."""
        rating = cleaned_data.get("evidence_rating")
        if not self.instance.pk or not rating or cleaned_data.get("public_change_note", "").strip():
            return
        live = InterventionPage.objects.filter(pk=self.instance.pk, live=True).values_list("evidence_rating", flat=True)
        live_rating = live.first()
        if live_rating and live_rating != rating:
            self.add_error(
                "public_change_note",
                _(
                    "The evidence rating changes from “%(old)s” to “%(new)s”: say why in a public note, which the "
                    "change log shows to visitors."
                )
                % {"old": EvidenceRating(live_rating).label, "new": EvidenceRating(rating).label},
            )


class InterventionPage(RoutablePageMixin, RecordPage):
    """One intervention (programme, policy or practice) with the evidence about it."""

    also_known_as = StringListField(_("also known as"), help_text=_("Other names and acronyms, one per line."))
    summary = models.TextField(_("summary"), max_length=1000)
    description = RichTextField(_("description"), blank=True, features=RICH_TEXT_FEATURES)

    # EMMIE (the College of Policing's frame): besides the effect and the cost kept below, how it works, where and for
    # whom, what it takes, and what is known of it in the region.
    mechanism = RichTextField(
        _("how it works"), blank=True, features=RICH_TEXT_FEATURES, help_text=_("The mechanism the evaluators give.")
    )
    moderators = RichTextField(
        _("where and for whom"),
        blank=True,
        features=RICH_TEXT_FEATURES,
        help_text=_("Contexts and groups where it worked or did not."),
    )
    implementation = RichTextField(
        _("what it takes"),
        blank=True,
        features=RICH_TEXT_FEATURES,
        help_text=_("Staff, training, duration, partners, cost drivers and pitfalls."),
    )
    transferability = RichTextField(
        _("relevance for Latin America and the Caribbean"),
        blank=True,
        features=RICH_TEXT_FEATURES,
        help_text=_("What is known about it in the region, and what to adapt."),
    )
    last_reviewed = models.DateField(
        _("last reviewed"),
        null=True,
        blank=True,
        help_text=_("When the evidence in this record was last checked against the literature."),
    )
    # Kept with the revision and written into the public change log when the revision is published
    # (interventions.change_log); not part of the interchange format.
    public_change_note = models.TextField(
        _("public note on this change"),
        max_length=CHANGE_NOTE_MAX_LENGTH,
        blank=True,
        help_text=_(
            "Shown in the change log on the page and in the feeds, e.g. 'after Heller et al. 2017'. Required when "
            "the evidence rating changes."
        ),
    )

    pillars = ParentalManyToManyField(Pillar, verbose_name=_("pillars"), related_name="interventions")
    intervention_types = ParentalManyToManyField(
        InterventionType, verbose_name=_("intervention types"), related_name="interventions", blank=True
    )
    settings = ParentalManyToManyField(Setting, verbose_name=_("settings"), related_name="interventions", blank=True)
    target_groups = ParentalManyToManyField(
        TargetGroup, verbose_name=_("target groups"), related_name="interventions", blank=True
    )

    age_min = models.PositiveSmallIntegerField(
        _("minimum age"), null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    age_max = models.PositiveSmallIntegerField(
        _("maximum age"), null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    genders = ChoiceListField(_("genders"), item_choices=Gender.choices)
    countries = CountryListField(_("countries"))
    places = StringListField(_("places"), help_text=_("Cities or subnational regions, one per line."))
    start_year = models.PositiveSmallIntegerField(_("start year"), null=True, blank=True, validators=year_validators)
    end_year = models.PositiveSmallIntegerField(_("end year"), null=True, blank=True, validators=year_validators)
    ongoing = models.BooleanField(_("still running"), default=False)
    implementers = StringListField(_("implementers"), help_text=_("Organisations that run it, one per line."))

    evidence_rating = models.CharField(
        _("evidence rating"),
        max_length=20,
        choices=EvidenceRating.choices,
        help_text=help_list(EVIDENCE_RATING_MEANINGS),
    )

    cost_amount = models.FloatField(_("cost per participant"), null=True, blank=True, validators=[MinValueValidator(0)])
    cost_currency = models.CharField(_("currency"), max_length=3, blank=True, validators=[currency_validator])
    cost_year = models.PositiveSmallIntegerField(
        _("price year"), null=True, blank=True, validators=[MinValueValidator(1950), MaxValueValidator(2100)]
    )
    bcr_low = models.FloatField(
        _("benefit-cost ratio (low)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Benefits per unit of cost: 5 means 5 back for every 1 spent."),
    )
    bcr_high = models.FloatField(
        _("benefit-cost ratio (high)"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    bcr_source_study = models.CharField(
        _("benefit-cost source study"),
        max_length=100,
        blank=True,
        validators=[slug_validator],
        help_text=_("Key of the study below that reports the ratio."),
    )
    tags = StringListField(_("tags"), help_text=_("Free keywords, one per line."))

    # Derived from the fields above on every save, so that search can filter and sort on them.
    study_count = models.PositiveIntegerField(default=0, editable=False)
    strongest_design = models.CharField(max_length=30, choices=StudyDesign.choices, blank=True, editable=False)
    strongest_design_rank = models.PositiveSmallIntegerField(default=0, editable=False)
    evidence_rank = models.PositiveSmallIntegerField(default=0, editable=False)
    bcr_midpoint = models.FloatField(null=True, blank=True, editable=False)
    has_cost_data = models.BooleanField(default=False, editable=False)

    base_form_class = InterventionPageForm
    parent_page_types = ["interventions.InterventionIndexPage"]
    subpage_types = []

    overview_panels = [
        FieldPanel("title"),
        FieldPanel("also_known_as"),
        FieldPanel("summary"),
        FieldPanel("description"),
        FieldPanel("pillars", widget=forms.CheckboxSelectMultiple),
        FieldPanel("intervention_types"),
        FieldPanel("tags"),
    ]
    how_it_works_panels = [
        FieldPanel("mechanism"),
        FieldPanel("moderators"),
        FieldPanel("implementation"),
        FieldPanel("transferability"),
    ]
    evidence_panels = [
        FieldRowPanel([FieldPanel("evidence_rating"), FieldPanel("last_reviewed")]),
        FieldPanel("public_change_note"),
        InlinePanel("studies", heading=_("Studies"), label=_("Study")),
        InlinePanel("outcomes", heading=_("Outcomes"), label=_("Outcome")),
    ]
    cost_panels = [
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("cost_amount"), FieldPanel("cost_currency"), FieldPanel("cost_year")])],
            heading=_("Cost per participant"),
        ),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("bcr_low"), FieldPanel("bcr_high")]), FieldPanel("bcr_source_study")],
            heading=_("Benefit-cost ratio"),
        ),
    ]
    context_panels = [
        FieldPanel("settings"),
        FieldPanel("target_groups"),
        FieldRowPanel([FieldPanel("age_min"), FieldPanel("age_max")]),
        FieldPanel("genders"),
        FieldPanel("countries"),
        FieldPanel("places"),
        FieldRowPanel([FieldPanel("start_year"), FieldPanel("end_year"), FieldPanel("ongoing")]),
        FieldPanel("implementers"),
    ]
    sources_panels = [
        InlinePanel("external_ratings", heading=_("What other clearinghouses concluded"), label=_("Rating")),
        InlinePanel("links", heading=_("Links"), label=_("Link")),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(overview_panels, heading=_("Overview")),
            ObjectList(how_it_works_panels, heading=_("How it works")),
            ObjectList(evidence_panels, heading=_("Evidence")),
            ObjectList(cost_panels, heading=_("Cost")),
            ObjectList(context_panels, heading=_("Context")),
            ObjectList(sources_panels, heading=_("Sources")),
            ObjectList(Page.promote_panels, heading=_("Promote")),
            ObjectList(Page.settings_panels, heading=_("Publishing")),
        ]
    )

    # Title (boost 2, from Page) and other names above the summary, the summary above the rest. PostgreSQL weighs
    # each boost level apart; SQLite tells only the title from the rest.
    search_fields = Page.search_fields + [
        index.SearchField("also_known_as_text", boost=2, **STEMMED),
        index.SearchField("summary", boost=1.5, **STEMMED),
        index.SearchField("description", **STEMMED),
        index.SearchField("mechanism", **STEMMED),
        index.SearchField("moderators", **STEMMED),
        index.SearchField("implementation", **STEMMED),
        index.SearchField("transferability", **STEMMED),
        index.SearchField("tags_text"),
        index.SearchField("implementers_text"),
        index.SearchField("places_text"),
        index.SearchField("vocabulary_text"),
        index.RelatedFields("studies", [index.SearchField("citation")]),
        index.RelatedFields("outcomes", [index.SearchField("measure")]),
        index.FilterField("evidence_rating"),
        index.FilterField("evidence_rank"),
        index.FilterField("strongest_design_rank"),
        index.FilterField("study_count"),
        index.FilterField("bcr_low"),
        index.FilterField("bcr_midpoint"),
        index.FilterField("has_cost_data"),
    ]

    # Kept up to date by interventions.indexing, which can defer it during an import.
    search_auto_update = False

    class Meta:
        verbose_name = _("intervention")
        verbose_name_plural = _("interventions")

    @classmethod
    def from_db(cls, db, field_names, values):
        page = super().from_db(db, field_names, values)
        page.remember_stored_values(page)
        return page

    def with_content_json(self, content):
        # The page that Wagtail publishes is built from a revision: it remembers what the stored (live) page said.
        page = super().with_content_json(content)
        page.remember_stored_values(self)
        return page

    def remember_stored_values(self, stored):
        """What the change log compares a publication with (interventions.change_log): the rating and review date of
        the page as stored, which are the live ones, read when the page was read and so without another query."""
        # A page read from the database and then changed in memory (and so revised and published) still remembers
        # what was stored.
        self.stored_rating = getattr(stored, "stored_rating", stored.__dict__.get("evidence_rating"))
        self.stored_last_reviewed = getattr(stored, "stored_last_reviewed", stored.__dict__.get("last_reviewed"))

    def also_known_as_text(self):
        return "\n".join(self.also_known_as)

    def tags_text(self):
        return "\n".join(self.tags)

    def implementers_text(self):
        return "\n".join(self.implementers)

    def places_text(self):
        return "\n".join(self.places)

    def vocabulary_text(self):
        """Labels of its terms in every language, so that a search in any language finds it by what it is."""
        # Each kind of term in one order, whether read from the database or still in memory after an import.
        terms = [
            *sorted(self.pillars.all(), key=attrgetter("slug")),
            *sorted(self.intervention_types.all(), key=attrgetter("slug")),
            *sorted(self.settings.all(), key=attrgetter("slug")),
            *sorted(self.target_groups.all(), key=attrgetter("slug")),
            *(outcome.domain for outcome in self.outcomes.all()),
        ]
        return "\n".join(dict.fromkeys(label for term in terms for label in term.labels.values() if label))

    def pillar_terms(self):
        # Knowledge products have one pillar: results and facets read both kinds of page through this method.
        return list(self.pillars.all())

    @property
    def country_names(self):
        return country_names(self.countries)

    @property
    def evidence_rating_meaning(self):
        return EVIDENCE_RATING_MEANINGS[self.evidence_rating]

    @cached_property
    def headline(self):
        return headline(self)

    def outcomes_with_studies(self):
        """Each outcome with the study that reports it (None where it names none)."""
        studies = {study.key: study for study in self.studies.all()}
        return [(outcome, studies.get(outcome.study_key)) for outcome in self.outcomes.select_related("domain")]

    def emmie_sections(self):
        """(heading, rich text) of each EMMIE text that has content, in EMMIE's order."""
        return [
            (capfirst(self._meta.get_field(name).verbose_name), getattr(self, name))
            for name in EMMIE_FIELDS
            if getattr(self, name).strip()
        ]

    @path("brief/", name="brief")
    def brief(self, request):
        """The profile on one or two printed pages, for a meeting or a file."""
        return self.render(request, template="interventions/intervention_brief.html")

    @path("citations/ris/", name="citations_ris")
    def citations_ris(self, request):
        return citations_response(ris(self), "application/x-research-info-systems", f"{self.slug}.ris")

    @path("citations/bibtex/", name="citations_bibtex")
    def citations_bibtex(self, request):
        return citations_response(bibtex(self), "application/x-bibtex", f"{self.slug}.bib")

    @path("")
    def profile(self, request):
        return self.render(request)

    def clean(self):
        super().clean()
        self.check_consistency()

    def check_consistency(self):
        """Rules between fields; the importer calls this on records that have no place in the page tree yet."""
        errors = {}
        if self.age_min is not None and self.age_max is not None and self.age_min > self.age_max:
            errors["age_max"] = _("The maximum age (%(max)s) is below the minimum age (%(min)s).") % {
                "max": self.age_max,
                "min": self.age_min,
            }
        if self.start_year and self.end_year and self.start_year > self.end_year:
            errors["end_year"] = _("The end year (%(end)s) is before the start year (%(start)s).") % {
                "end": self.end_year,
                "start": self.start_year,
            }
        if self.ongoing and self.end_year:
            errors["end_year"] = _("An intervention that is still running has no end year.")
        if self.bcr_low is None and (self.bcr_high is not None or self.bcr_source_study):
            errors["bcr_low"] = _("Give the low benefit-cost ratio (the only one, if there is a single estimate).")
        elif self.bcr_low is not None and self.bcr_high is not None and self.bcr_low > self.bcr_high:
            errors["bcr_high"] = _("The high benefit-cost ratio (%(high)s) is below the low one (%(low)s).") % {
                "high": self.bcr_high,
                "low": self.bcr_low,
            }
        cost_parts = {"cost_amount": self.cost_amount, "cost_currency": self.cost_currency, "cost_year": self.cost_year}
        if any(value not in (None, "") for value in cost_parts.values()):
            for field, value in cost_parts.items():
                if value in (None, ""):
                    errors[field] = _("A cost needs its amount, currency and price year.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        # A save of some fields only (save_revision stores a draft so) leaves the live content, and what derives
        # from it, as it was.
        if kwargs.get("update_fields") is None:
            self.update_derived_values()
        return super().save(*args, **kwargs)

    def update_derived_values(self):
        studies = list(self.studies.all())
        self.study_count = len(studies)
        strongest = max(studies, key=lambda study: STUDY_DESIGN_RANK[study.design], default=None)
        self.strongest_design = strongest.design if strongest else ""
        self.strongest_design_rank = STUDY_DESIGN_RANK[strongest.design] if strongest else 0
        self.evidence_rank = EVIDENCE_RATING_RANK.get(self.evidence_rating, 0)
        if self.bcr_low is None:
            self.bcr_midpoint = None
        elif self.bcr_high is None:
            self.bcr_midpoint = self.bcr_low
        else:
            self.bcr_midpoint = (self.bcr_low + self.bcr_high) / 2
        self.has_cost_data = self.cost_amount is not None or self.bcr_low is not None


class Study(Orderable):
    page = ParentalKey(InterventionPage, on_delete=models.CASCADE, related_name="studies")
    key = models.CharField(
        _("key"),
        max_length=100,
        validators=[slug_validator],
        help_text=_("Short identifier that outcomes use to cite this study, e.g. 'heller-2017'."),
    )
    citation = models.TextField(_("citation"))
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True, validators=year_validators)
    design = models.CharField(
        _("design"), max_length=30, choices=StudyDesign.choices, help_text=help_list(STUDY_DESIGN_MEANINGS)
    )
    maryland_sms = models.PositiveSmallIntegerField(
        _("Maryland Scientific Methods Scale"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("1 = correlation at one point in time … 5 = randomised assignment."),
    )
    sample_size = models.PositiveBigIntegerField(
        _("sample size"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    countries = CountryListField(_("countries"))
    doi = models.TextField(_("DOI"), blank=True, validators=[doi_validator])
    url = url_field(_("URL"))
    # The structured citation, from which the RIS and BibTeX exports are written; `citation` is what readers see.
    authors = StringListField(
        _("authors"),
        help_text=_("In citation order, one per line, each as 'Family, Given' (an organisation as its name)."),
    )
    title = models.TextField(_("title"), blank=True, help_text=_("The work's own title."))
    publication_type = models.CharField(
        _("publication type"), max_length=20, choices=PublicationType.choices, blank=True
    )
    venue = models.TextField(
        _("journal or publisher"), blank=True, help_text=_("Journal, working-paper series or publishing organisation.")
    )
    volume = models.TextField(_("volume"), blank=True)
    issue = models.TextField(_("issue"), blank=True)
    pages = models.TextField(_("pages"), blank=True)

    panels = [
        FieldRowPanel([FieldPanel("key"), FieldPanel("year"), FieldPanel("design")]),
        FieldPanel("citation"),
        FieldRowPanel([FieldPanel("maryland_sms"), FieldPanel("sample_size")]),
        FieldPanel("countries"),
        MultiFieldPanel(
            [
                FieldPanel("authors"),
                FieldPanel("title", widget=forms.TextInput),
                FieldRowPanel([FieldPanel("publication_type"), FieldPanel("venue", widget=forms.TextInput)]),
                FieldRowPanel(
                    [
                        FieldPanel("volume", widget=forms.TextInput),
                        FieldPanel("issue", widget=forms.TextInput),
                        FieldPanel("pages", widget=forms.TextInput),
                    ]
                ),
            ],
            heading=_("Structured citation"),
        ),
        FieldRowPanel(
            [
                # interventions.doi_lookup fills the citation on saving; a help text on the panel, not the model
                # field, since it describes the editor's behaviour (and needs no migration).
                FieldPanel(
                    "doi",
                    widget=forms.TextInput,
                    help_text=_(
                        "On saving, the structured citation's empty fields are filled from Crossref for this DOI."
                    ),
                ),
                FieldPanel("url", widget=forms.URLInput),
            ]
        ),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("study")
        verbose_name_plural = _("studies")

    def __str__(self):
        return self.citation

    @property
    def doi_url(self):
        return f"https://doi.org/{self.doi}" if self.doi else ""

    @property
    def author_year(self):
        """How readers refer to the study: "Heller et al. 2017", "Di Tella & Schargrodsky 2004", "UNODC 2019"; the
        start of the citation where the authors are not structured."""
        families = [author.split(",")[0].strip() for author in self.authors]
        if not families:
            return self.citation.split("(")[0].strip().rstrip(",.") or self.key
        if len(families) == 1:
            names = families[0]
        elif len(families) == 2:
            names = f"{families[0]} & {families[1]}"
        else:
            names = _("%(first)s et al.") % {"first": families[0]}
        return f"{names} {self.year}" if self.year else names


class Outcome(Orderable):
    page = ParentalKey(InterventionPage, on_delete=models.CASCADE, related_name="outcomes")
    domain = models.ForeignKey(OutcomeDomain, on_delete=models.PROTECT, verbose_name=_("domain"), related_name="+")
    measure = models.TextField(_("measure"), help_text=_("What was measured, in words: 'violent-crime arrests'."))
    direction = models.CharField(
        _("direction"),
        max_length=20,
        choices=Direction.choices,
        help_text=_("Effect relative to the policy goal, not the sign of the number."),
    )
    effect_metric = models.CharField(_("effect size metric"), max_length=30, choices=EffectMetric.choices, blank=True)
    effect_value = models.FloatField(_("effect size"), null=True, blank=True)
    ci_low = models.FloatField(_("confidence interval (low)"), null=True, blank=True)
    ci_high = models.FloatField(_("confidence interval (high)"), null=True, blank=True)
    significant = models.BooleanField(_("statistically significant"), null=True, blank=True)
    follow_up_months = models.PositiveBigIntegerField(_("follow-up (months)"), null=True, blank=True)
    study_key = models.CharField(
        _("study"),
        max_length=100,
        blank=True,
        validators=[slug_validator],
        help_text=_("Key of the study above that reports this outcome."),
    )

    panels = [
        FieldRowPanel([FieldPanel("domain"), FieldPanel("direction"), FieldPanel("study_key")]),
        FieldPanel("measure"),
        FieldRowPanel(
            [FieldPanel("effect_metric"), FieldPanel("effect_value"), FieldPanel("ci_low"), FieldPanel("ci_high")]
        ),
        FieldRowPanel([FieldPanel("significant"), FieldPanel("follow_up_months")]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")

    def __str__(self):
        return self.measure

    @property
    def is_estimated(self):
        """Whether it is measured against a comparison: a descriptive figure without one (not-estimated) is shown, but
        is no evidence of an effect, so it is never drawn, chosen as a headline or counted in its domain."""
        return self.direction != Direction.NOT_ESTIMATED

    @property
    def is_effect(self):
        """An estimated outcome with its effect size."""
        return self.effect_value is not None and self.is_estimated

    def clean(self):
        super().clean()
        errors = {}
        has_value = self.effect_value is not None
        if has_value and not self.effect_metric:
            errors["effect_metric"] = _("Say what the effect size measures.")
        if self.effect_metric and not has_value:
            errors["effect_value"] = _("Give the effect size, or leave the metric empty.")
        if not has_value and (self.ci_low is not None or self.ci_high is not None):
            errors["effect_value"] = _("A confidence interval needs the effect size it surrounds.")
        if has_value and self.ci_low is not None and self.ci_low > self.effect_value:
            errors["ci_low"] = _("The lower bound (%(low)s) is above the effect size (%(value)s).") % {
                "low": self.ci_low,
                "value": self.effect_value,
            }
        if has_value and self.ci_high is not None and self.ci_high < self.effect_value:
            errors["ci_high"] = _("The upper bound (%(high)s) is below the effect size (%(value)s).") % {
                "high": self.ci_high,
                "value": self.effect_value,
            }
        if errors:
            raise ValidationError(errors)


def with_headline_data(pages):
    """Intervention pages with what their headlines read fetched in a few queries, however many pages."""
    return pages.prefetch_related("studies", Prefetch("outcomes", queryset=Outcome.objects.select_related("domain")))


class ExternalRating(Orderable):
    """What another clearinghouse concluded, in its own words, so users see where the sources disagree."""

    page = ParentalKey(InterventionPage, on_delete=models.CASCADE, related_name="external_ratings")
    source = models.TextField(_("source"), help_text=_("e.g. CrimeSolutions, Blueprints, YEF Toolkit."))
    rating = models.TextField(_("their rating"), help_text=_("In the source's own words."))
    url = url_field(_("URL"))
    assessed_year = models.PositiveSmallIntegerField(
        _("year assessed"), null=True, blank=True, validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )

    panels = [
        FieldRowPanel(
            [
                FieldPanel("source", widget=forms.TextInput),
                FieldPanel("rating", widget=forms.TextInput),
                FieldPanel("assessed_year"),
            ]
        ),
        FieldPanel("url", widget=forms.URLInput),
    ]


class InterventionLink(Orderable):
    page = ParentalKey(InterventionPage, on_delete=models.CASCADE, related_name="links")
    title = models.TextField(_("title"))
    url = url_field(_("URL"), blank=False)

    panels = [FieldPanel("title", widget=forms.TextInput), FieldPanel("url", widget=forms.URLInput)]


class RecordChange(models.Model):
    """One entry of an intervention's public change log, written when a revision is published
    (interventions.change_log): shown on the profile, in the feed and in the changes API."""

    class Kind(models.TextChoices):
        NEW = "new", _("New")
        RATING_CHANGED = "rating-changed", _("Rating changed")
        UPDATED = "updated", _("Updated")
        REVIEWED = "reviewed", _("Reviewed")

    page = models.ForeignKey(
        InterventionPage, on_delete=models.CASCADE, related_name="changes", verbose_name=_("intervention")
    )
    changed_at = models.DateTimeField(_("changed at"))
    kind = models.CharField(_("kind of change"), max_length=20, choices=Kind.choices)
    note = models.TextField(_("public note"), max_length=CHANGE_NOTE_MAX_LENGTH, blank=True)
    # The ratings before and after a rating change; blank for other kinds.
    old_rating = models.CharField(_("old rating"), max_length=20, choices=EvidenceRating.choices, blank=True)
    new_rating = models.CharField(_("new rating"), max_length=20, choices=EvidenceRating.choices, blank=True)

    class Meta:
        verbose_name = _("change")
        verbose_name_plural = _("changes")
        ordering = ["-changed_at", "-pk"]
        # The feeds and the API read the log in time order across pages; a profile reads its own page's entries.
        indexes = [models.Index(fields=["changed_at", "id"]), models.Index(fields=["page", "changed_at"])]

    def __str__(self):
        return f"{self.page}: {self.summary} ({self.changed_at:%Y-%m-%d})"

    @property
    def summary(self):
        """What changed, in the active language, without the note: "Rating changed from Promising to Effective"."""
        if self.kind == self.Kind.RATING_CHANGED:
            return _("Rating changed from %(old)s to %(new)s") % {
                "old": EvidenceRating(self.old_rating).label,
                "new": EvidenceRating(self.new_rating).label,
            }
        return CHANGE_SUMMARIES[self.kind]


CHANGE_SUMMARIES = {
    RecordChange.Kind.NEW: _("Added to the knowledge base"),
    RecordChange.Kind.UPDATED: _("Updated"),
    RecordChange.Kind.REVIEWED: _("Evidence reviewed"),
}
