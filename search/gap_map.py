"""The evidence gap map: intervention types by outcome domains, computed live from the published records that a
search with the same parameters returns. Each cell counts interventions and their studies by evidence rating; an
intervention counts in an outcome domain where it has an estimated effect, as the search's outcome-domain facet
counts it (search.facets)."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from django.db.models import F
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from wagtail.models import Page

from interventions.vocabularies import EvidenceRating

from .facets import FACETS_BY_NAME
from .keys import key_set
from .models import FacetValue
from .service import selection_for

# Regions of the map's filter: a label and the countries they hold (ISO 3166-1 alpha-2), the region's own first, after
# the United Nations' M49 groups (Mexico apart, as the region's policymakers read it); every other country is in the
# rest of the world, so that the filter covers every record.
REGIONS = {
    "central-america": (_("Central America"), ("BZ", "CR", "SV", "GT", "HN", "NI", "PA")),
    "caribbean": (
        _("Caribbean"),
        (
            "AG",
            "AI",
            "AW",
            "BB",
            "BL",
            "BQ",
            "BS",
            "CU",
            "CW",
            "DM",
            "DO",
            "GD",
            "GP",
            "HT",
            "JM",
            "KN",
            "KY",
            "LC",
            "MF",
            "MQ",
            "MS",
            "PR",
            "SX",
            "TC",
            "TT",
            "VC",
            "VG",
            "VI",
        ),
    ),
    "south-america": (
        _("South America"),
        ("AR", "BO", "BR", "CL", "CO", "EC", "FK", "GF", "GY", "PE", "PY", "SR", "UY", "VE"),
    ),
    "mexico": (_("Mexico"), ("MX",)),
    "north-america": (_("United States and Canada"), ("US", "CA")),
}
REGIONS["rest-of-the-world"] = (
    _("Rest of the world"),
    tuple(sorted(set(countries.countries) - {code for _label, codes in REGIONS.values() for code in codes})),
)


class RatingShare(NamedTuple):
    rating: str
    label: str
    percent: int  # of the cell's interventions
    offset: int  # the percent of the ratings before it, where its segment of the bar starts


@dataclass
class Cell:
    interventions: int = 0
    studies: int = 0
    ratings: Counter = field(default_factory=Counter)

    @property
    def rating_shares(self):
        """The cell's interventions by rating, strongest rating first: the segments of its bar."""
        shares, offset = [], 0
        for rating in EvidenceRating:
            if self.ratings[rating.value]:
                percent = round(100 * self.ratings[rating.value] / self.interventions)
                shares.append(RatingShare(rating.value, rating.label, percent, offset))
                offset += percent
        return shares


@dataclass
class GapMap:
    rows: list  # (intervention type slug, label)
    columns: list  # (outcome domain slug, label)
    cells: dict  # (type slug, domain slug) -> Cell

    def cell(self, row, column):
        return self.cells.get((row, column), Cell())


def gap_map(params):
    with translation.override(params.lang):
        params = replace(params, filters={**params.filters, "content_type": ("intervention",)})
        pages = Page.objects.filter(pk__in=key_set(selection_for(params).results())).values(
            "pk", evidence_rating=F("interventionpage__evidence_rating"), study_count=F("interventionpage__study_count")
        )
        pages = {page["pk"]: page for page in pages}
        values = defaultdict(lambda: defaultdict(list))
        rows = FacetValue.objects.filter(page__in=list(pages), facet__in=["intervention_type", "outcome_domain"])
        for page_id, facet, value in rows.values_list("page_id", "facet", "value"):
            values[page_id][facet].append(value)
        cells = defaultdict(Cell)
        for page_id, by_facet in values.items():
            page = pages[page_id]
            for type_slug in by_facet["intervention_type"]:
                for domain_slug in by_facet["outcome_domain"]:
                    cell = cells[(type_slug, domain_slug)]
                    cell.interventions += 1
                    cell.studies += page["study_count"]
                    cell.ratings[page["evidence_rating"]] += 1
        return GapMap(
            rows=labelled("intervention_type", {row for row, _ in cells}),
            columns=labelled("outcome_domain", {column for _, column in cells}),
            cells=dict(cells),
        )


def labelled(facet_name, values):
    labels = FACETS_BY_NAME[facet_name].labels_of(values)
    return sorted(((value, labels.get(value, value)) for value in values), key=lambda item: item[1].casefold())
