from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page


class HomePage(Page):
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["interventions.InterventionIndexPage", "pillars.PillarPage"]
    max_count_per_parent = 1
    CHANGES_SHOWN = 5

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        from interventions.models import with_headline_data
        from pillars.models import PillarPage
        from search.changes import latest_changes
        from search.service import SearchParams, search_records, visible_intervention_pages

        context = super().get_context(request, *args, **kwargs)
        language = self.locale.language_code
        interventions = SearchParams(lang=language, page_size=1, filters={"content_type": ("intervention",)})
        pillar_pages = PillarPage.objects.child_of(self).live().public().select_related("pillar")
        pages_by_pillar = {page.pillar.slug: page for page in pillar_pages}
        context["pillars"] = [
            (entry, pages_by_pillar.get(entry.value)) for entry in search_records(interventions).facets["pillar"]
        ]
        recent = visible_intervention_pages(language).order_by("-last_published_at", "title")
        context["recent"] = with_headline_data(recent)[:6]
        # What changed, from the public change log: new records, new ratings and the reviewers' notes.
        context["changes"] = latest_changes(language, self.CHANGES_SHOWN)
        return context
