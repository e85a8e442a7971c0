"""Interventions, as a kind of record the search lists (see search.record_types)."""

from django.utils.translation import gettext_lazy as _

from interventions.models import InterventionPage, with_headline_data

from .documents import intervention_documents
from .record_types import RecordType


def load_interventions(keys):
    return with_headline_data(InterventionPage.objects.prefetch_related("pillars")).in_bulk(keys)


INTERVENTIONS = RecordType(
    "intervention", _("Intervention"), InterventionPage, intervention_documents, load_interventions
)
