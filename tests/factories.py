"""Interchange records for tests: valid by default, so each test overrides only what it is about."""

import factory


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
