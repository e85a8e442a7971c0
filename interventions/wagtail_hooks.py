from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import InterventionType, OutcomeDomain, Pillar, Setting, TargetGroup


def vocabulary_viewset(vocabulary_model):
    return type(
        f"{vocabulary_model.__name__}ViewSet",
        (SnippetViewSet,),
        {
            "model": vocabulary_model,
            "list_display": ["label_en", "label_es", "label_pt", "label_fr", "slug"],
            "search_fields": ["label_en", "label_es", "label_pt", "label_fr", "slug"],
        },
    )


class VocabularyGroup(SnippetViewSetGroup):
    menu_label = _("Vocabularies")
    menu_icon = "tag"
    menu_order = 300
    items = [vocabulary_viewset(model) for model in (Pillar, InterventionType, Setting, TargetGroup, OutcomeDomain)]


register_snippet(VocabularyGroup)
