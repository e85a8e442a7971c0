"""The pages interventions live under: the site's home page and an interventions index in every language.

Setup commands create them (`ensure_page_tree`: `setup_demo`, and `import_interventions` on a freshly migrated
site); an import only finds them (`intervention_index`), so that reading data never writes pages as a side effect.
"""

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from wagtail.models import Locale, Site

from .models import InterventionIndexPage

INDEX_SLUG = "interventions"


class MissingPageTree(Exception):
    """The site has no interventions index in a language records are written in."""


def ensure_page_tree():
    """Creates, where missing, the home page's translations and the interventions index in every language."""
    for locale in Locale.objects.all():
        ensure_intervention_index(locale)


def intervention_index(locale):
    """The interventions index of this language; raises MissingPageTree when the site has none."""
    index = InterventionIndexPage.objects.filter(locale=locale).first()
    if index is None:
        raise MissingPageTree(
            f"The site has no interventions index page in '{locale.language_code}': create the page tree first "
            "(interventions.page_tree.ensure_page_tree, which `manage.py import_interventions` and `setup_demo` run)."
        )
    return index


@transaction.atomic
def ensure_home_page(locale):
    """The site's home page in this language, translated from the default language's where missing.

    The home page is the default site's root page (the home app's migration creates it): the domain places its
    pages under it without knowing its type."""
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None:
        raise MissingPageTree("The site has no default Wagtail site and home page: run `manage.py migrate`.")
    home = site.root_page.specific
    if home.locale_id == locale.pk:
        return home
    return home.get_translation_or_none(locale) or publish(home.copy_for_translation(locale))


@transaction.atomic
def ensure_intervention_index(locale):
    index = InterventionIndexPage.objects.filter(locale=locale).first()
    if index is not None:
        return index
    default_locale = Locale.get_default()
    if locale.pk != default_locale.pk:
        source = ensure_intervention_index(default_locale)
        ensure_home_page(locale)
        return publish(source.copy_for_translation(locale))
    home = ensure_home_page(default_locale)
    return home.add_child(instance=InterventionIndexPage(title=str(_("Interventions")), slug=INDEX_SLUG, locale=locale))


def publish(page):
    page.save_revision().publish()
    page.refresh_from_db()
    return page.specific
