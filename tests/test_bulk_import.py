"""New records are published in bulk: what an import leaves must be what publishing each new page one by one through
Wagtail's public API leaves (add_child, save_revision, publish, the history, the derived rows), and the pages must work
in Wagtail afterwards."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.test import override_settings
from wagtail.models import Page, PageLogEntry, ReferenceIndex, Revision
from wagtail.search.models import IndexEntry

from interventions.interchange.importer import import_document
from interventions.interchange.mapping import VOCABULARY_FIELDS
from interventions.interchange.validation import InvalidFile
from interventions.models import InterventionIndexPage, InterventionPage, Outcome, RecordChange, Study
from search.models import FacetValue
from tests.factories import OutcomeFactory, RecordFactory, StudyFactory, document

pytestmark = pytest.mark.django_db

# What differs between two imports of the same records: keys, random translation keys and the time of writing.
VOLATILE_PAGE_FIELDS = {
    "id",
    "page_ptr",
    "translation_key",
    "latest_revision",
    "live_revision",
    "first_published_at",
    "last_published_at",
    "latest_revision_created_at",
}


def rich_record(number, **overrides):
    fields = dict(
        slug=f"bulk-{number}",
        title=f"Bulk programme {number}",
        description_html="<p>Runs <strong>weekly</strong>.</p><script>alert(1)</script>",
        # Terms out of alphabetical order: the database gives them back in another order than the file's.
        intervention_types=["crime-hotline", "cash-transfer"],
        settings=["school", "community"],
        target_groups=["general-population", "at-risk-youth"],
        countries=["BR", "CO"],
        cost_per_participant={"amount": 120, "currency": "USD", "year": 2020},
        benefit_cost_ratio={"low": 2, "high": 5, "source_study": "first"},
        studies=[StudyFactory(key="first", design="rct"), StudyFactory(key="second", design="quasi-experimental")],
        outcomes=[OutcomeFactory(study="first"), OutcomeFactory(domain="homicide", study="second")],
        external_ratings=[{"source": "CrimeSolutions", "rating": "Effective", "url": "https://example.org/r"}],
        links=[{"title": "Home", "url": "https://example.org"}],
        translations={"es": {"title": f"Programa masivo {number}"}, "pt": {"title": f"Programa em massa {number}"}},
    )
    return RecordFactory(**{**fields, **overrides})


def existing_records():
    """Records a site has before a file with new versions of them arrives, as rich as the new records and translated
    into Spanish and Portuguese. Built once per test: their citations are numbered afresh at each call."""
    return [
        rich_record(
            0,
            slug="hot-spots-policing",
            title="Hot-spots policing programme",
            also_known_as=["Place-based patrols"],
            intervention_types=["hot-spots-policing"],
            settings=["street"],
            target_groups=["high-crime-places"],
            tags=["patrols", "crime concentration"],
            translations={
                "es": {"title": "Programa de patrullaje en puntos calientes", "summary": "Patrullas en pocas calles."},
                "pt": {"title": "Programa de policiamento de pontos quentes"},
            },
        ),
        rich_record(
            0,
            slug="youth-cbt",
            title="Cognitive behavioural therapy programme for young people",
            intervention_types=["cognitive-behavioural-therapy", "school-based-prevention"],
            target_groups=["at-risk-youth", "young-men"],
            age_min=12,
            age_max=17,
            genders=["male"],
            translations={
                "es": {"title": "Programa de terapia cognitivo-conductual para jóvenes"},
                "pt": {"title": "Programa de terapia cognitivo-comportamental para jovens"},
            },
        ),
        rich_record(
            0,
            slug="family-cash-transfers",
            title="Cash transfers to families",
            intervention_types=["cash-transfer"],
            settings=["national-policy"],
            target_groups=["families", "children"],
            places=["A synthetic city"],
            translations={
                "es": {"title": "Programa de transferencias a familias"},
                "pt": {"title": "Programa de transferências às famílias"},
            },
        ),
        rich_record(
            0,
            slug="violence-interrupters",
            title="Violence interrupters",
            intervention_types=["community-violence-prevention"],
            settings=["urban-neighbourhood", "community"],
            target_groups=["gang-members"],
            translations={"es": {"title": "Programa de interruptores de violencia"}},
        ),
    ]


def import_one_by_one(records):
    """Each new page through add_child, save_revision and publish, then indexed as stored: the fast path off."""
    with override_settings(FAST_IMPORT=False):
        return import_document(document(*records))


def state_after(run_import, records):
    """What importing the records leaves, read with the keys that differ between two runs left out; rolled back."""
    with transaction.atomic():
        report = run_import(records)
        state = written_state([record["slug"] for record in records])
        transaction.set_rollback(True)
    return report, state


def written_state(slugs):
    pages = list(InterventionPage.objects.filter(slug__in=slugs).order_by("path"))
    pk_paths = {page.pk: page.path for page in pages}
    translation_paths = {page.translation_key: page.path for page in pages if not page.is_translation}
    children = {
        (model._meta.model_name, child.pk): child.sort_order
        for model in (Study, Outcome)
        for child in model.objects.filter(page__in=pages)
    }
    parents = Page.objects.filter(pk__in={page.get_parent().pk for page in pages}).order_by("path")
    return {
        "pages": [
            {
                **{
                    field.name: field.value_from_object(page)
                    for field in InterventionPage._meta.concrete_fields
                    if field.name not in VOLATILE_PAGE_FIELDS
                },
                "translation_of": translation_paths[page.translation_key],
                "revisions": [without_keys(revision.content) for revision in page.revisions.order_by("pk")],
                "history": list(
                    PageLogEntry.objects.filter(page=page)
                    .order_by("pk")
                    .values_list("action", "label", "content_changed", "user", "uuid", "data", "revision__object_str")
                ),
                "changes": list(
                    RecordChange.objects.filter(page=page).values_list("kind", "note", "old_rating", "new_rating")
                ),
                "terms": {key: sorted(term.slug for term in getattr(page, key).all()) for key in VOCABULARY_FIELDS},
            }
            for page in pages
        ],
        "parents": list(parents.values_list("path", "numchild")),
        "tree_problems": Page.find_problems(),
        "search": sorted(
            (pk_paths[int(object_id)], title, autocomplete, body)
            for object_id, title, autocomplete, body in IndexEntry.objects.filter(
                # The pages' own entries: a vocabulary term's entry may have the same object id as a page.
                object_id__in=[str(pk) for pk in pk_paths],
                content_type__in=Page.objects.filter(pk__in=pk_paths).values("content_type"),
            ).values_list("object_id", "title", "autocomplete", "body")
        ),
        "facets": sorted(
            (pk_paths[page], facet, value)
            for page, facet, value in FacetValue.objects.filter(page__in=pk_paths).values_list("page", "facet", "value")
        ),
        "references": sorted(
            (
                pk_paths[int(object_id)],
                to_content_type,
                to_object_id,
                model_path,
                child_position(content_path, children),
            )
            for object_id, to_content_type, to_object_id, model_path, content_path in ReferenceIndex.objects.filter(
                object_id__in=[str(pk) for pk in pk_paths]
            ).values_list("object_id", "to_content_type", "to_object_id", "model_path", "content_path")
        ),
    }


def without_keys(content):
    """A revision's content with the keys of the page and its children, and the times, left out."""
    page = {key: value for key, value in content.items() if key not in {*VOLATILE_PAGE_FIELDS, "pk"}}
    for relation in ("studies", "outcomes", "external_ratings", "links"):
        page[relation] = [
            {key: value for key, value in child.items() if key not in {"pk", "page"}} for child in content[relation]
        ]
    return page


def child_position(content_path, children):
    # "outcomes.<pk>.domain": the child's place among its siblings instead of its key.
    relation, pk, rest = content_path.split(".", 2)
    model_name = {"studies": "study", "outcomes": "outcome"}[relation]
    return f"{relation}.{children[(model_name, int(pk))]}.{rest}"


def test_a_bulk_import_leaves_what_publishing_page_by_page_leaves():
    records = [rich_record(1), rich_record(2, end_year=None), rich_record(3, translations={})]
    bulk_report, bulk = state_after(lambda records: import_document(document(*records)), records)
    one_by_one_report, one_by_one = state_after(import_one_by_one, records)
    assert bulk_report == one_by_one_report
    assert len(bulk["pages"]) == 7
    assert bulk["search"] and bulk["facets"] and bulk["references"]
    assert bulk["tree_problems"] == ([], [], [], [], [])
    assert bulk == one_by_one


def test_revisions_hold_what_a_revision_of_the_saved_page_would_hold():
    import_document(document(rich_record(1)))
    for page in InterventionPage.objects.filter(slug="bulk-1"):
        content = page.live_revision.content
        # The revision is taken before the page points to it, as a save_revision of the saved page would be.
        saved = {**page.serializable_data(), "latest_revision": None, "live_revision": None}
        assert content == json.loads(json.dumps(saved, cls=DjangoJSONEncoder))
        assert page.latest_revision == page.live_revision
        history = PageLogEntry.objects.filter(page=page).order_by("pk")
        assert list(history.values_list("action", flat=True)) == ["wagtail.create", "wagtail.publish"]


def test_new_pages_continue_the_tree_and_wagtail_can_add_after_them():
    index = InterventionIndexPage.objects.get(locale__language_code="en")
    children_before = index.numchild
    import_document(document(rich_record(1), rich_record(2)))
    index.refresh_from_db()
    assert index.numchild == children_before + 2 == index.get_children().count()
    added = index.add_child(
        instance=InterventionPage(title="Added by hand", slug="added-by-hand", summary="s", evidence_rating="promising")
    )
    assert added.path == index.get_children().last().path
    assert Page.find_problems() == ([], [], [], [], [])
    new = InterventionPage.objects.get(slug="bulk-2", locale=index.locale)
    assert new.get_prev_sibling().slug == "bulk-1"


def test_imported_pages_are_served_edited_and_revised_in_wagtail(client, django_user_model):
    import_document(document(rich_record(1)))
    page = InterventionPage.objects.get(slug="bulk-1", locale__language_code="en")
    translation = InterventionPage.objects.get(slug="bulk-1", locale__language_code="es")
    assert translation.is_translation and not page.is_translation
    assert translation.get_translation(page.locale) == page
    assert client.get(page.url).status_code == 200
    assert client.get(translation.url).status_code == 200
    latest = page.get_latest_revision_as_object()
    assert latest.title == page.title
    assert [study.key for study in latest.studies.all()] == ["first", "second"]
    client.force_login(django_user_model.objects.create_superuser("admin", "admin@example.org", "pw"))
    assert client.get(f"/admin/pages/{page.pk}/edit/").status_code == 200
    page.title = "Edited after import"
    page.save_revision().publish()
    page.refresh_from_db()
    assert page.title == "Edited after import" and Page.find_problems() == ([], [], [], [], [])


def test_a_file_of_new_and_existing_records():
    existing = existing_records()
    import_document(document(*existing))
    changed = {**existing[1], "summary": "A changed summary."}
    newly_translated = {
        **existing[2],
        "translations": {**existing[2].get("translations", {}), "fr": {"title": "Titre"}},
    }
    records = [existing[0], changed, newly_translated, rich_record(1)]
    report = import_document(document(*records))
    assert report.created == ["bulk-1"]
    assert report.updated == [changed["slug"], newly_translated["slug"]]
    assert report.unchanged == [existing[0]["slug"]]
    french = InterventionPage.objects.get(slug=newly_translated["slug"], locale__language_code="fr")
    assert french.is_translation and french.live_revision is not None
    assert Page.find_problems() == ([], [], [], [], [])
    again = import_document(document(*records))
    assert len(again.unchanged) == 4


def database_state():
    return (Page.objects.count(), Revision.objects.count(), PageLogEntry.objects.count(), FacetValue.objects.count())


def test_an_invalid_file_writes_nothing():
    before = database_state()
    with pytest.raises(InvalidFile):
        import_document(document(rich_record(1), rich_record(2, age_min=30, age_max=20)))
    assert database_state() == before


def test_a_slug_taken_in_a_translations_locale_rolls_everything_back():
    before = database_state()
    spanish_original = RecordFactory(slug="bulk-1", locale="es", title="Un original")
    with pytest.raises(ValidationError, match="already in use"):
        import_document(document(rich_record(0), spanish_original, rich_record(1)))
    assert database_state() == before


def references_of(pages):
    keys = [str(page.pk) for page in pages]
    return sorted(
        ReferenceIndex.objects.filter(object_id__in=keys).values_list(
            "content_type", "base_content_type", "object_id", "to_content_type", "to_object_id", "content_path"
        )
    )


def test_an_update_replaces_the_references_as_wagtail_would():
    record = rich_record(1)
    import_document(document(record))
    pages = list(InterventionPage.objects.filter(slug="bulk-1"))
    created = references_of(pages)
    import_document(document({**record, "outcomes": [OutcomeFactory(domain="property-crime", study="first")]}))
    updated = references_of(pages)
    assert updated != created
    for page in pages:
        ReferenceIndex.create_or_update_for_object(page)
    assert references_of(pages) == updated
