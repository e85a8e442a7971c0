from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page


class HomePage(Page):
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["interventions.InterventionIndexPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        from search.service import SearchParams, search_interventions, visible_interventions

        context = super().get_context(request, *args, **kwargs)
        language = self.locale.language_code
        context["pillars"] = search_interventions(SearchParams(lang=language, page_size=1)).facets["pillar"]
        context["recent"] = visible_interventions(language).order_by("-last_published_at", "title")[:6]
        return context
