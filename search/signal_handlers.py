from django.db.models.signals import post_delete, post_save
from wagtail.contrib.search_promotions.models import SearchPromotion
from wagtail.models import PageViewRestriction
from wagtail.signals import post_page_move

from interventions.fast_path import index_objects, index_pages, insert_rows
from interventions.indexing import indexing_deferred, pages_indexed
from interventions.models import (
    InterventionPage,
    InterventionType,
    OutcomeDomain,
    Pillar,
    RecordChange,
    Setting,
    TargetGroup,
)

from .facets import FACETS
from .models import FacetValue, ThesaurusConcept, ThesaurusLabel
from .record_types import RECORD_TYPES
from .snapshot import mark_changed, mark_documents_changed
from .visibility import index_visibility, index_visibility_under


def index_facet_values(*pages):
    """Replaces the facet rows of pages the search finds with what they have now (children and terms as saved)."""
    rows = [(page.pk, facet.name, value) for page in pages for facet in FACETS for value in facet.values_of(page)]
    FacetValue.objects.filter(page_id__in=[page.pk for page in pages]).delete()
    insert_rows(FacetValue, ["page", "facet", "value"], rows)
    # The pages' titles and evidence, which results are ordered by, may have changed with them, and so may their text.
    mark_documents_changed([page.pk for page in pages])


def on_record_saved(instance, raw=False, update_fields=None, **kwargs):
    # A save of some fields only (save_revision stores a draft so) does not change the live content.
    if not raw and update_fields is None and not indexing_deferred():
        index_facet_values(instance)
        index_visibility([instance])


def on_record_deleted(instance, **kwargs):
    # Its own rows go with it; its translations may now be what visitors see in its language.
    index_visibility([instance])


def on_interventions_indexed(pages, **kwargs):
    index_facet_values(*pages)
    index_visibility(pages)


def on_view_restriction_changed(instance, raw=False, **kwargs):
    # Added, changed (its type) or removed: the pages at and under the restricted page leave or rejoin the lists.
    if not raw:
        index_visibility_under(instance.page_id)


def on_page_moved(instance, **kwargs):
    # Into or out of a restricted section. Wagtail saves a moved page as a plain Page: on_record_saved does not run.
    index_visibility_under(instance.pk)


def on_vocabulary_term_saved(instance, raw=False, created=False, **kwargs):
    # The pages' facet rows hold the term's slug and their text its labels: both must follow an edited term, for all
    # its pages at once, as after an import (a term may have thousands of pages).
    if raw or created:
        return
    if isinstance(instance, OutcomeDomain):
        index_pages(InterventionPage.objects.filter(outcomes__domain=instance).distinct())
    else:
        index_pages(instance.interventions.all())
    if isinstance(instance, Pillar):
        products = list(instance.knowledge_products.all())
        if products:
            index_facet_values(*products)
            index_objects(instance.knowledge_products.model, products)


def on_search_setting_changed(raw=False, **kwargs):
    # The search process holds the thesaurus in memory and reloads it when the version token changes, and visitors'
    # answers with editors' picks are cached under the token (search.response_cache): an editor's new synonym or pick
    # takes effect on the next search.
    if not raw:
        mark_changed()


def on_change_log_edited(raw=False, **kwargs):
    # Profiles show their change log and are cached under the token (search.response_cache): a note an editor
    # corrects, or an entry deleted, shows on the next visit. A publication changes the token anyway.
    if not raw:
        mark_changed()


def register_signal_handlers():
    for model in RECORD_TYPES.values():
        post_save.connect(on_record_saved, sender=model)
        post_delete.connect(on_record_deleted, sender=model)
    pages_indexed.connect(on_interventions_indexed, sender=InterventionPage)
    post_save.connect(on_view_restriction_changed, sender=PageViewRestriction)
    post_delete.connect(on_view_restriction_changed, sender=PageViewRestriction)
    post_page_move.connect(on_page_moved)
    for vocabulary in (Pillar, InterventionType, Setting, TargetGroup, OutcomeDomain):
        post_save.connect(on_vocabulary_term_saved, sender=vocabulary)
    post_save.connect(on_change_log_edited, sender=RecordChange)
    post_delete.connect(on_change_log_edited, sender=RecordChange)
    for model in (ThesaurusConcept, ThesaurusLabel, SearchPromotion):
        post_save.connect(on_search_setting_changed, sender=model)
        post_delete.connect(on_search_setting_changed, sender=model)
