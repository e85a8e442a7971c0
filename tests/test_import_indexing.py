"""An import defers the search index, the reference index and the facet rows to one pass at its end: what it leaves
must be what publishing the same pages one by one leaves, and its cost per record must not grow with the file."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import ReferenceIndex
from wagtail.search.models import IndexEntry

from interventions.interchange.importer import import_document
from interventions.models import InterventionPage
from search.models import FacetValue
from tests.factories import OutcomeFactory, RecordFactory, StudyFactory, document

pytestmark = pytest.mark.django_db


def rich_record(number):
    return RecordFactory(
        slug=f"bulk-{number}",
        title=f"Bulk programme {number}",
        intervention_types=["crime-hotline"],
        settings=["community"],
        target_groups=["general-population"],
        countries=["BR", "CO"],
        studies=[StudyFactory(key="first", design="rct"), StudyFactory(key="second", design="quasi-experimental")],
        outcomes=[OutcomeFactory(study="first"), OutcomeFactory(domain="homicide", study="second")],
        translations={"es": {"title": f"Programa masivo {number}"}, "pt": {"title": f"Programa em massa {number}"}},
    )


def derived_data(pages):
    keys = [page.pk for page in pages]
    return {
        "search": sorted(
            IndexEntry.objects.filter(object_id__in=[str(key) for key in keys]).values_list(
                "content_type", "object_id", "title", "autocomplete", "body"
            )
        ),
        "facets": sorted(FacetValue.objects.filter(page__in=keys).values_list("page", "facet", "value")),
        "references": sorted(
            ReferenceIndex.objects.filter(object_id__in=[str(key) for key in keys]).values_list(
                "base_content_type", "object_id", "to_content_type", "to_object_id", "model_path", "content_path"
            )
        ),
    }


def test_an_import_leaves_what_publishing_each_page_leaves():
    import_document(document(rich_record(1), rich_record(2)))
    pages = list(InterventionPage.objects.filter(slug__in=["bulk-1", "bulk-2"]))
    assert len(pages) == 6
    imported = derived_data(pages)
    assert all(imported.values())
    for page in pages:
        page.save_revision().publish()
    assert derived_data(pages) == imported


def queries_to_import(records):
    with CaptureQueriesContext(connection) as queries:
        import_document(document(*records))
    return len(queries)


def test_queries_per_record_do_not_grow_with_the_number_of_records():
    queries_to_import([rich_record("warm-up")])
    three = queries_to_import([rich_record(f"a{number}") for number in range(3)])
    six = queries_to_import([rich_record(f"b{number}") for number in range(6)])
    twelve = queries_to_import([rich_record(f"c{number}") for number in range(12)])
    # Linear: six more records cost twice what three more did. Bulk inserts split at the database's limit of
    # parameters per statement, which adds a statement now and then, never one per record.
    assert twelve - six <= 2 * (six - three) + 3
