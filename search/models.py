import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.models import Orderable, Page

from interventions.fields import LanguageField


class FacetValue(models.Model):
    """One value a page the search finds (an intervention or a knowledge product) has for one facet: the table that
    filtering and facet counts read.

    Wagtail's `.facet()` counts plain fields only; interventions have many-valued facets (pillars, countries,
    the designs of their studies, the domains of their outcomes), so each value gets a row that SQL can group.
    Kept in step with the page on every save (see signal_handlers).
    """

    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="facet_values")
    facet = models.CharField(max_length=32)
    value = models.CharField(max_length=100)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["page", "facet", "value"], name="unique_facet_value")]
        indexes = [models.Index(fields=["facet", "value", "page"])]

    def __str__(self):
        return f"{self.facet}={self.value}"


class VisiblePage(models.Model):
    """A page the search shows to visitors in `language`: live, behind no view restriction, and either written in that
    language or the original of a record with no such translation into it (see search.visibility, which keeps these
    rows)."""

    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="visible_in")
    language = models.CharField(max_length=8)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["language", "page"], name="unique_visible_page")]

    def __str__(self):
        return f"{self.page_id} in {self.language}"


class SearchDataVersion(models.Model):
    """The version of what searches read besides the text index (the facet rows, the visible pages and the fields
    results are ordered by): one row, whose token every change of those replaces in the same transaction, so that a
    process can tell whether the copy it holds in memory (search.snapshot) is still current."""

    token = models.UUIDField(default=uuid.uuid4)

    def __str__(self):
        return str(self.token)


class DocumentVersion(models.Model):
    """The version of what the search reads of one page's text (search.documents): replaced in the same transaction
    as every change of the page, its terms and children, or its vocabulary terms' labels (signal_handlers), and when
    its passages get sentence vectors (`embed_records`). A process rebuilding its text index after a change compares
    these few bytes per page with those of the index it holds and reads again only the pages whose version moved
    (search.snapshot). A page with no row has not changed since before these rows were kept."""

    page = models.OneToOneField(
        Page, on_delete=models.CASCADE, primary_key=True, related_name="search_document_version"
    )
    token = models.UUIDField(default=uuid.uuid4)

    def __str__(self):
        return f"{self.page_id}: {self.token}"


class ThesaurusConcept(ClusterableModel):
    """A concept of the field (e.g. "firearm") with its labels in each language: the preferred one, then synonyms,
    alternative spellings and acronyms. A search for any label also finds records that use another label of the same
    concept, in any language (search.analysis). Seeded from fixtures/thesaurus.json by `import_thesaurus`; editors
    extend it as a snippet."""

    name = models.CharField(max_length=100, unique=True, help_text=_("A short identifier, e.g. 'firearm'."))
    source = models.CharField(max_length=300, blank=True, help_text=_("Where the concept and its labels come from."))

    panels = [FieldPanel("name"), FieldPanel("source"), InlinePanel("labels", label=_("labels"))]

    class Meta:
        ordering = ["name"]
        verbose_name = _("thesaurus concept")
        verbose_name_plural = _("thesaurus concepts")

    def __str__(self):
        return self.name


class ThesaurusLabel(Orderable):
    concept = ParentalKey(ThesaurusConcept, on_delete=models.CASCADE, related_name="labels")
    language = LanguageField()
    label = models.CharField(max_length=200)
    preferred = models.BooleanField(default=False)

    panels = [FieldPanel("language"), FieldPanel("label"), FieldPanel("preferred")]

    class Meta(Orderable.Meta):
        verbose_name = _("label")
        constraints = [
            models.UniqueConstraint(fields=["concept", "language", "label"], name="unique_thesaurus_label"),
        ]

    def __str__(self):
        return f"{self.label} ({self.language})"


class TextEmbedding(models.Model):
    """The sentence-encoder vector of one text, stored under a hash of the encoder's name and the text, so that a
    text already embedded is never embedded again (search.embeddings)."""

    text_hash = models.CharField(max_length=64, primary_key=True)
    vector = models.BinaryField()  # float32, little-endian, L2-normalized

    def __str__(self):
        return self.text_hash


class DailyQueryResults(models.Model):
    """How many searches for a query were made on a day and how many found nothing: Wagtail's QueryDailyHits counts
    searches only, and editors need the ones that found nothing to know which synonyms to add."""

    query = models.ForeignKey("wagtailsearchpromotions.Query", on_delete=models.CASCADE, related_name="daily_results")
    date = models.DateField()
    searches = models.PositiveIntegerField(default=0)
    without_results = models.PositiveIntegerField(default=0)
    last_result_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["query", "date"], name="unique_daily_query_results")]

    def __str__(self):
        return f"{self.query} on {self.date}"
