"""What the technical working group of each pillar curates: the pillar's page, its collections of interventions and
its knowledge products."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, PageChooserPanel
from wagtail.documents import get_document_model_string
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from interventions.fields import StringListField
from interventions.models import RICH_TEXT_FEATURES, InterventionPage, Pillar, RecordPage, url_field, year_validators


class PillarPage(Page):
    """One pillar of the regional security alliance; its working group edits this page and everything under it."""

    pillar = models.ForeignKey(Pillar, verbose_name=_("pillar"), on_delete=models.PROTECT, related_name="pages")
    intro = RichTextField(_("introduction"), blank=True, features=RICH_TEXT_FEATURES)

    content_panels = Page.content_panels + [FieldPanel("pillar"), FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["pillars.CollectionPage", "pillars.KnowledgeProductPage"]

    class Meta:
        verbose_name = _("pillar page")
        verbose_name_plural = _("pillar pages")

    def clean(self):
        super().clean()
        others = PillarPage.objects.filter(pillar_id=self.pillar_id, locale_id=self.locale_id).exclude(pk=self.pk)
        if self.pillar_id and others.exists():
            raise ValidationError({"pillar": _("This pillar already has a page in this language.")})

    def get_context(self, request, *args, **kwargs):
        from search.service import SearchParams, search_records, visible_pages

        context = super().get_context(request, *args, **kwargs)
        language = self.locale.language_code
        context["collections"] = CollectionPage.objects.child_of(self).live().public().order_by("path")
        context["knowledge_products"] = (
            visible_pages(KnowledgeProductPage, language)
            .child_of(self)
            .order_by("-publication_year", F("publication_date").desc(nulls_last=True), "title")
        )
        in_pillar = {"pillar": (self.pillar.slug,), "content_type": ("intervention",)}
        context["intervention_count"] = search_records(
            SearchParams(lang=language, filters=in_pillar, page_size=1)
        ).count
        return context


class CollectionPage(Page):
    """Interventions a working group puts together: the ones it picks, in its order, then those a saved search
    finds, which follow the records as they change."""

    intro = RichTextField(_("introduction"), blank=True, features=RICH_TEXT_FEATURES)
    saved_search = models.CharField(
        _("saved search"),
        max_length=1000,
        blank=True,
        help_text=_(
            "Optional. Run a search on the public search page, then paste its address here: its words and filters "
            "are kept (not its page or sort), and the interventions it finds are listed after the hand-picked ones."
        ),
    )

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        InlinePanel("items", heading=_("Hand-picked interventions"), label=_("Intervention")),
        FieldPanel("saved_search"),
    ]
    search_fields = Page.search_fields + [index.SearchField("intro")]
    parent_page_types = ["pillars.PillarPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("collection")
        verbose_name_plural = _("collections")

    def clean(self):
        from search.params import InvalidParameter

        super().clean()
        try:
            self.saved_search = saved_search_query(self.saved_search)
        except InvalidParameter as invalid:
            raise ValidationError(
                {"saved_search": _("%(parameter)s: %(message)s") % vars(invalid)}, code="invalid"
            ) from invalid

    def get_context(self, request, *args, **kwargs):
        from .curation import collection_interventions

        context = super().get_context(request, *args, **kwargs)
        context["listing"] = collection_interventions(self)
        return context


def saved_search_query(text):
    """The words and filters of a search page address (or of its query string), normalized; page, page size, sort
    and language are dropped because the collection sets them. Raises search.params.InvalidParameter."""
    from search.params import search_query_string

    query = text.strip()
    query = query.split("?", 1)[1] if "?" in query else query
    return search_query_string(QueryDict(query.split("#", 1)[0]))


class ChosenIntervention(Orderable):
    """An intervention a working group chose for a page, in the order it set."""

    intervention = models.ForeignKey(
        InterventionPage, verbose_name=_("intervention"), on_delete=models.CASCADE, related_name="+"
    )

    panels = [PageChooserPanel("intervention", "interventions.InterventionPage")]

    class Meta(Orderable.Meta):
        abstract = True


class CollectionItem(ChosenIntervention):
    collection = ParentalKey(CollectionPage, on_delete=models.CASCADE, related_name="items")

    class Meta(ChosenIntervention.Meta):
        verbose_name = _("hand-picked intervention")
        verbose_name_plural = _("hand-picked interventions")


class KnowledgeProductType(models.TextChoices):
    GUIDE = "guide", _("Guide")
    TOOL = "tool", _("Tool")
    METHODOLOGY = "methodology", _("Methodology")


class KnowledgeProductPage(RecordPage):
    """A guide, tool or methodology that a working group publishes, with its PDF."""

    product_type = models.CharField(_("type"), max_length=20, choices=KnowledgeProductType.choices)
    authors = StringListField(_("authors"), help_text=_("People or organisations, one per line."))
    # Of most products only the year is known; the year of a dated one is its date's.
    publication_year = models.PositiveSmallIntegerField(
        _("publication year"),
        null=True,
        blank=True,
        validators=year_validators,
        help_text=_("Taken from the publication date where one is given."),
    )
    publication_date = models.DateField(
        _("publication date"), null=True, blank=True, help_text=_("If the exact date is known.")
    )
    summary = models.TextField(_("summary"), max_length=1000)
    body = RichTextField(_("body"), blank=True, features=RICH_TEXT_FEATURES)
    document = models.ForeignKey(
        get_document_model_string(),
        verbose_name=_("PDF"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Not `url`: that is the address of the page itself (Page.url).
    source_url = url_field(
        _("where to get it"), help_text=_("The publisher's page of the product, to read or download it.")
    )
    # The pillar of the page it is published under, kept so that search can filter and count by it.
    pillar = models.ForeignKey(Pillar, on_delete=models.PROTECT, related_name="knowledge_products", editable=False)

    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("product_type"), FieldPanel("publication_year"), FieldPanel("publication_date")]),
        FieldPanel("authors"),
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("document"),
        FieldPanel("source_url", widget=forms.URLInput),
        InlinePanel("related_interventions", heading=_("Related interventions"), label=_("Intervention")),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary", boost=1.5),
        index.SearchField("body"),
        index.SearchField("authors_text"),
        index.FilterField("product_type"),
        index.FilterField("publication_year"),
        index.FilterField("publication_date"),
    ]
    parent_page_types = ["pillars.PillarPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("knowledge product")
        verbose_name_plural = _("knowledge products")

    def authors_text(self):
        return "\n".join(self.authors)

    def pillar_terms(self):
        return [self.pillar]

    def clean(self):
        super().clean()
        errors = {}
        if self.document is not None and self.document.file_extension.lower() != "pdf":
            errors["document"] = _("Choose a PDF document.")
        if self.publication_year is None and self.publication_date is None:
            errors["publication_year"] = _("Give the year of publication, or its date.")
        elif self.publication_date and self.publication_year not in (None, self.publication_date.year):
            errors["publication_year"] = _("The year is not the publication date's.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if self.publication_date:
            self.publication_year = self.publication_date.year
        parent = self.get_parent() if self.path else None
        if parent is not None and hasattr(parent.specific, "pillar_id"):
            self.pillar_id = parent.specific.pillar_id
        return super().save(*args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from .curation import visible_translations

        context = super().get_context(request, *args, **kwargs)
        chosen = [item.intervention for item in self.related_interventions.select_related("intervention")]
        context["related"] = visible_translations(chosen, self.locale.language_code)
        return context


class RelatedIntervention(ChosenIntervention):
    product = ParentalKey(KnowledgeProductPage, on_delete=models.CASCADE, related_name="related_interventions")

    class Meta(ChosenIntervention.Meta):
        verbose_name = _("related intervention")
        verbose_name_plural = _("related interventions")
