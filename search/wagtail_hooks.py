from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import ThesaurusConcept


def labels_by_language(concept):
    """The concept's labels as editors read them: "en: firearm, gun · es: arma de fuego"."""
    by_language = {}
    for label in concept.labels.all():
        by_language.setdefault(label.language, []).append(label.label)
    return " · ".join(f"{language}: {', '.join(labels)}" for language, labels in by_language.items())


class ThesaurusConceptViewSet(SnippetViewSet):
    """Editors add synonyms and translations the search should treat alike; they take effect on the next search
    (search.signal_handlers marks the search data changed)."""

    model = ThesaurusConcept
    icon = "list-ul"
    menu_label = _("Thesaurus")
    menu_order = 310  # just after Vocabularies
    add_to_admin_menu = True
    list_display = ["name", Column("labels", label=_("Labels"), accessor=labels_by_language)]
    search_fields = ["name"]

    def get_queryset(self, request):
        return ThesaurusConcept.objects.prefetch_related("labels")


register_snippet(ThesaurusConceptViewSet)
