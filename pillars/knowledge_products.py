"""Knowledge products loaded from a JSON file, each published under its pillar's page in the default language with
its translations:

{"knowledge_products": [{"slug", "pillar", "product_type", "title", "authors", "publication_year", "url", "summary",
"body_html", "related_interventions": [intervention slugs], "translations": {"es": {"title", "summary",
"body_html"}}}]}

The whole file is checked before anything is written. A product is found again by its slug, so importing the same
file twice changes nothing the second time."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from wagtail.models import Locale

from interventions.json_files import PageImportReport
from interventions.models import InterventionPage, Pillar, slug_validator
from interventions.page_tree import publish
from interventions.sanitize import sanitize_html

from .models import KnowledgeProductPage, KnowledgeProductType, RelatedIntervention
from .page_tree import pillar_page

# Field -> (required, expected type, maximum length): what a product may have, and the texts a translation gives.
PRODUCT_FIELDS = {
    "slug": (True, str, 255),
    "pillar": (True, str, None),
    "product_type": (True, str, None),
    "title": (True, str, 255),
    "authors": (False, list, None),
    "publication_year": (True, int, None),
    "url": (False, str, None),
    "summary": (True, str, 1000),
    "body_html": (False, str, None),
    "related_interventions": (False, list, None),
    "translations": (False, dict, None),
}
TRANSLATION_FIELDS = {"title": (True, str, 255), "summary": (True, str, 1000), "body_html": (False, str, None)}
TYPE_NAMES = {str: "text", int: "a whole number", list: "a list", dict: "an object"}
FIRST_YEAR, LAST_YEAR = 1900, 2100
url_validator = URLValidator(schemes=["http", "https"])


def knowledge_product_errors(data):
    """Every reason the file cannot be imported, as 'json.path: message'."""
    if not isinstance(data, dict) or not isinstance(data.get("knowledge_products"), list):
        return ['$: expected an object with a list of "knowledge_products"']
    errors = [f"{name}: unknown field" for name in data if name != "knowledge_products"]
    context = {
        "pillars": set(Pillar.objects.values_list("slug", flat=True)),
        "interventions": set(InterventionPage.objects.filter(is_translation=False).values_list("slug", flat=True)),
        "languages": [code for code, _name in settings.LANGUAGES if code != Locale.get_default().language_code],
        "published": dict(
            KnowledgeProductPage.objects.filter(locale=Locale.get_default()).values_list("slug", "pillar__slug")
        ),
    }
    seen = {}
    for position, product in enumerate(data["knowledge_products"]):
        path = f"knowledge_products[{position}]"
        if not isinstance(product, dict):
            errors.append(f"{path}: expected an object")
            continue
        product_errors = field_errors(product, PRODUCT_FIELDS, path)
        if not product_errors:
            product_errors = value_errors(product, path, context)
            if product["slug"] in seen:
                product_errors.append(f"{path}.slug: '{product['slug']}' is also the slug of {seen[product['slug']]}")
            seen[product["slug"]] = path
        errors += product_errors
    return errors


def field_errors(values, fields, path):
    """Missing, unknown, empty, too long or mistyped fields."""
    errors = [f"{path}.{name}: unknown field" for name in values if name not in fields]
    for name, (required, kind, max_length) in fields.items():
        value = values.get(name)
        if value is None:
            if required:
                errors.append(f"{path}.{name}: missing")
        elif not isinstance(value, kind) or isinstance(value, bool):
            errors.append(f"{path}.{name}: expected {TYPE_NAMES[kind]}")
        elif kind is str and required and not value.strip():
            errors.append(f"{path}.{name}: empty")
        elif max_length and len(value) > max_length:
            errors.append(f"{path}.{name}: longer than {max_length} characters")
    return errors


def value_errors(product, path, context):
    errors = []
    try:
        slug_validator(product["slug"])
    except ValidationError as error:
        errors.append(f"{path}.slug: {error.messages[0]}")
    published_under = context["published"].get(product["slug"], product["pillar"])
    if product["pillar"] not in context["pillars"]:
        pillars = ", ".join(sorted(context["pillars"]))
        errors.append(f"{path}.pillar: unknown pillar '{product['pillar']}'; expected one of {pillars}")
    elif published_under != product["pillar"]:
        errors.append(
            f"{path}.pillar: '{product['slug']}' is published under the pillar '{published_under}': "
            f"move it to '{product['pillar']}' in the admin first"
        )
    if product["product_type"] not in KnowledgeProductType.values:
        errors.append(
            f"{path}.product_type: unknown type '{product['product_type']}'; "
            f"expected one of {', '.join(KnowledgeProductType.values)}"
        )
    if not FIRST_YEAR <= product["publication_year"] <= LAST_YEAR:
        errors.append(f"{path}.publication_year: expected a year from {FIRST_YEAR} to {LAST_YEAR}")
    if product.get("url"):
        try:
            url_validator(product["url"])
        except ValidationError:
            errors.append(f"{path}.url: expected an http or https address, not '{product['url']}'")
    for position, author in enumerate(product.get("authors", [])):
        if not isinstance(author, str) or not author.strip():
            errors.append(f"{path}.authors[{position}]: expected a name")
    for position, slug in enumerate(product.get("related_interventions", [])):
        if slug not in context["interventions"]:
            errors.append(f"{path}.related_interventions[{position}]: unknown intervention '{slug}'")
    for language, translation in product.get("translations", {}).items():
        if language not in context["languages"]:
            errors.append(
                f"{path}.translations.{language}: expected a translation into one of {', '.join(context['languages'])}"
            )
        elif not isinstance(translation, dict):
            errors.append(f"{path}.translations.{language}: expected an object")
        else:
            errors += field_errors(translation, TRANSLATION_FIELDS, f"{path}.translations.{language}")
    return errors


@transaction.atomic
def import_knowledge_products(data):
    """Creates or updates every product and its translations, and publishes them under their pillars' pages (see
    page_tree.ensure_pillar_pages). Check knowledge_product_errors first. Raises MissingPageTree."""
    report = PageImportReport()
    default_locale = Locale.get_default()
    pillars = Pillar.objects.in_bulk(field_name="slug")
    wanted = {slug for product in data["knowledge_products"] for slug in product.get("related_interventions", [])}
    originals = {page.slug: page for page in InterventionPage.objects.filter(is_translation=False, slug__in=wanted)}
    for product in data["knowledge_products"]:
        pillar = pillars[product["pillar"]]
        related = [originals[slug] for slug in dict.fromkeys(product.get("related_interventions", []))]
        original = KnowledgeProductPage.objects.filter(locale=default_locale, slug=product["slug"]).first()
        if original is None:
            page = KnowledgeProductPage(slug=product["slug"], locale=default_locale)
            set_values(page, product, product, related)
            original = publish(pillar_page(pillar, default_locale).add_child(instance=page))
            report.created.append(product["slug"])
        else:
            changed = write(original, product, product, related)
            (report.updated if changed else report.unchanged).append(product["slug"])
        for language, texts in product.get("translations", {}).items():
            locale = Locale.objects.get(language_code=language)
            translation = original.get_translation_or_none(locale)
            if translation is None:
                pillar_page(pillar, locale)  # the translation goes under the pillar page's translation
                translation = original.copy_for_translation(locale)
                set_values(translation, product, texts, related)
                publish(translation)
                report.translations += 1
            elif write(translation.specific, product, texts, related):
                report.translations += 1
    return report


def write(page, product, texts, related):
    """Publishes the page with the product's values, unless it already shows them; returns whether it did."""
    values = page_values(page, product, texts)
    unchanged = (
        page.live
        and not page.has_unpublished_changes
        and all(getattr(page, name) == value for name, value in values.items())
        and [item.intervention_id for item in page.related_interventions.all()] == [item.pk for item in related]
    )
    if unchanged:
        return False
    set_values(page, product, texts, related)
    publish(page)
    return True


def set_values(page, product, texts, related):
    for name, value in page_values(page, product, texts).items():
        setattr(page, name, value)
    page.related_interventions = [RelatedIntervention(intervention=intervention) for intervention in related]


def page_values(page, product, texts):
    """What the page shows of the product, in the language of `texts` (the product itself or one of its
    translations); a translation without a body of its own shows the original's."""
    year = product["publication_year"]
    return {
        "title": texts["title"],
        "summary": texts["summary"],
        "body": sanitize_html(texts.get("body_html") or product.get("body_html", "")),
        "product_type": product["product_type"],
        "authors": product.get("authors", []),
        "publication_year": year,
        # An exact date an editor gave stays, as long as it is in the year the file gives.
        "publication_date": page.publication_date
        if page.publication_date and page.publication_date.year == year
        else None,
        "source_url": product.get("url", ""),
    }
