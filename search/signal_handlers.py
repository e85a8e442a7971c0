from django.db.models.signals import post_save
from wagtail.search import index

from interventions.models import InterventionPage, InterventionType, OutcomeDomain, Pillar, Setting, TargetGroup

from .facets import FACETS
from .models import FacetValue


def index_facet_values(page):
    """Replaces the facet rows of one intervention with what it has now (children and terms as saved with it)."""
    rows = [
        FacetValue(page_id=page.pk, facet=facet.name, value=value)
        for facet in FACETS
        for value in facet.values_of(page)
    ]
    FacetValue.objects.filter(page_id=page.pk).delete()
    FacetValue.objects.bulk_create(rows)


def on_intervention_saved(instance, raw=False, update_fields=None, **kwargs):
    # A save of some fields only (save_revision stores a draft so) does not change the live content.
    if not raw and update_fields is None:
        index_facet_values(instance)


def on_vocabulary_term_saved(instance, raw=False, created=False, **kwargs):
    # Facet rows hold the term's slug and the full text its labels: both must follow an edited term.
    if raw or created:
        return
    if isinstance(instance, OutcomeDomain):
        pages = InterventionPage.objects.filter(outcomes__domain=instance).distinct()
    else:
        pages = instance.interventions.all()
    for page in pages:
        index_facet_values(page)
        index.insert_or_update_object(page)


def register_signal_handlers():
    post_save.connect(on_intervention_saved, sender=InterventionPage)
    for vocabulary in (Pillar, InterventionType, Setting, TargetGroup, OutcomeDomain):
        post_save.connect(on_vocabulary_term_saved, sender=vocabulary)
