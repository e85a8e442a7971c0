"""Side-by-side comparison of two to four interventions, in the visitor's language."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from interventions.models import with_headline_data
from search.service import visible_intervention_pages

MIN_COMPARED, MAX_COMPARED = 2, 4


class InvalidComparison(ValueError):
    pass


@dataclass
class Comparison:
    interventions: list
    outcome_rows: list  # (domain label, [outcomes of each intervention in that domain])


def compare(slugs, language_code):
    slugs = list(dict.fromkeys(slug.strip() for slug in slugs if slug.strip()))
    if not MIN_COMPARED <= len(slugs) <= MAX_COMPARED:
        raise InvalidComparison(
            _("Choose from %(min)s to %(max)s different interventions to compare.")
            % {"min": MIN_COMPARED, "max": MAX_COMPARED}
        )
    pages = with_headline_data(visible_intervention_pages(language_code).filter(slug__in=slugs)).prefetch_related(
        "pillars", "target_groups"
    )
    by_slug = {}
    for page in pages:
        by_slug.setdefault(page.slug, page)
    missing = [slug for slug in slugs if slug not in by_slug]
    if missing:
        raise InvalidComparison(_("No published intervention has the slug: %(slugs)s.") % {"slugs": ", ".join(missing)})
    interventions = [by_slug[slug] for slug in slugs]
    domains = {}
    for page in interventions:
        for outcome in page.outcomes.all():
            domains.setdefault(outcome.domain.slug, outcome.domain.label)
    outcome_rows = [
        (label, [[o for o in page.outcomes.all() if o.domain.slug == slug] for page in interventions])
        for slug, label in sorted(domains.items(), key=lambda item: item[1].casefold())
    ]
    return Comparison(interventions=interventions, outcome_rows=outcome_rows)
