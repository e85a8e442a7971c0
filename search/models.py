import uuid

from django.db import models
from wagtail.models import Page


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
    """A page the search shows to visitors in `language`: live, and either written in that language or the original
    of a record with no live translation into it (see search.visibility, which keeps these rows)."""

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
