"""Interchange records, pages and users for tests: valid by default, so each test overrides only what it is about."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils.text import slugify
from wagtail.models import Locale, PageViewRestriction

from interventions.models import InterventionIndexPage, Pillar
from interventions.page_tree import ensure_home_page
from pillars.models import CollectionPage, KnowledgeProductPage, PillarPage
from search.models import ThesaurusConcept, ThesaurusLabel


class StudyFactory(factory.DictFactory):
    key = factory.Sequence(lambda n: f"study-{n}")
    citation = factory.Sequence(lambda n: f"Author {n} (2020). A study of the intervention. Journal of Tests.")
    year = 2020
    design = "rct"


class OutcomeFactory(factory.DictFactory):
    domain = "violent-crime"
    measure = "violent-crime arrests"
    direction = "desirable"


class RecordFactory(factory.DictFactory):
    slug = factory.Sequence(lambda n: f"intervention-{n}")
    title = factory.Sequence(lambda n: f"Intervention {n}")
    summary = "A programme that was evaluated."
    pillars = factory.LazyFunction(lambda: ["protecting-vulnerable-populations"])
    evidence_rating = "promising"
    studies = factory.LazyFunction(lambda: [StudyFactory(key="main-study")])
    outcomes = factory.LazyFunction(lambda: [OutcomeFactory(study="main-study")])


def document(*records):
    return {"format": "interventions-v1", "interventions": list(records)}


class PageFactory(factory.Factory):
    """A Wagtail page added under `parent` (the default locale's home page unless given), published or a draft."""

    class Meta:
        abstract = True

    title = factory.Sequence(lambda n: f"Page {n}")
    slug = factory.LazyAttribute(lambda page: slugify(page.title))

    @classmethod
    def _create(cls, model_class, parent=None, publish=True, **kwargs):
        parent = parent or ensure_home_page(Locale.get_default())
        page = parent.add_child(instance=model_class(live=publish, **kwargs))
        if publish:
            page.save_revision().publish()
            page.refresh_from_db()
        return page


class InterventionIndexPageFactory(PageFactory):
    class Meta:
        model = InterventionIndexPage

    title = factory.Sequence(lambda n: f"Interventions {n}")


class PillarPageFactory(PageFactory):
    class Meta:
        model = PillarPage

    pillar = factory.LazyFunction(lambda: Pillar.objects.get(slug="protecting-vulnerable-populations"))


class CollectionPageFactory(PageFactory):
    class Meta:
        model = CollectionPage

    title = factory.Sequence(lambda n: f"Collection {n}")


class KnowledgeProductPageFactory(PageFactory):
    class Meta:
        model = KnowledgeProductPage

    title = factory.Sequence(lambda n: f"Knowledge product {n}")
    product_type = "guide"
    publication_date = datetime.date(2024, 5, 1)
    summary = "A practical guide for ministries."


class PageViewRestrictionFactory(factory.django.DjangoModelFactory):
    """A view restriction on `page` and the pages under it, as an editor sets it in the page's privacy settings: to
    logged-in users by default, or to those who give `password`, or to members of `groups` (names)."""

    class Meta:
        model = PageViewRestriction
        skip_postgeneration_save = True

    restriction_type = PageViewRestriction.LOGIN
    password = ""

    @factory.post_generation
    def groups(self, create, names, **kwargs):
        if create and names:
            self.groups.set(Group.objects.filter(name__in=names))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user-{n}")
    password = factory.PostGenerationMethodCall("set_password", "a-long-test-password")

    @factory.post_generation
    def groups(self, create, names, **kwargs):
        if create and names:
            self.groups.set(Group.objects.filter(name__in=names))
        if create:
            self.save()


class ThesaurusConceptFactory(factory.django.DjangoModelFactory):
    """A concept as an editor adds it in the admin, with an English and a Spanish label unless `labels` is given as
    {language: [preferred, synonym, ...]}."""

    class Meta:
        model = ThesaurusConcept
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"concept-{n}")
    source = "editor"

    @factory.post_generation
    def labels(concept, create, extracted, **kwargs):
        labels = extracted or {"en": [f"{concept.name} term"], "es": [f"término {concept.name}"]}
        # A cluster's children are written when the concept is saved, as the admin does.
        concept.labels = [
            ThesaurusLabel(language=language, label=label, preferred=position == 0)
            for language, language_labels in labels.items()
            for position, label in enumerate(language_labels)
        ]
        if create:
            concept.save()


class ThesaurusEntryFactory(factory.DictFactory):
    """A concept of a thesaurus file (fixtures/thesaurus.json), valid against `thesaurus_document()`'s source."""

    name = factory.Sequence(lambda n: f"entry-{n}")
    source = "editorial"
    labels = factory.Sequence(lambda n: {"en": [f"term {n}", f"synonym {n}"], "es": [f"término {n}"]})


def thesaurus_document(*concepts):
    return {"sources": [{"key": "editorial", "title": "The editors"}], "concepts": list(concepts)}


class NominationFactory(factory.django.DjangoModelFactory):
    """A nomination of a new intervention as the public form stores it."""

    class Meta:
        model = "nominations.Nomination"

    kind = "intervention"
    name = factory.Sequence(lambda n: f"Nominated intervention {n}")
    country = "CO"
    description = "Mentoring for young people leaving detention, run by a city's youth services."
    citation = "Gómez, L. (2021). An evaluation of youth mentoring. Journal of Tests."
    nominator_name = "Luisa Gómez"
    email = "luisa@example.org"


class RecordChangeFactory(factory.django.DjangoModelFactory):
    """An entry of an intervention's public change log, as a publication writes it (interventions.change_log)."""

    class Meta:
        model = "interventions.RecordChange"

    kind = "updated"
    changed_at = factory.Sequence(
        lambda n: datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(hours=n)
    )
    note = "Outcomes added from a new evaluation."
