"""import_interventions: validation first, then one all-or-nothing transaction."""

import gc
import io
import json

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import Locale, Page, Revision

from interventions.interchange.exporter import export_document
from interventions.interchange.importer import import_document
from interventions.models import InterventionIndexPage, InterventionPage, OutcomeDomain
from interventions.page_tree import MissingPageTree, ensure_page_tree
from interventions.sanitize import sanitize_html
from tests.factories import OutcomeFactory, RecordFactory, StudyFactory, document

pytestmark = pytest.mark.django_db


def run_import(tmp_path, content, *options):
    path = tmp_path / "records.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("import_interventions", str(path), *options, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def failed_import(tmp_path, content):
    """Runs an import that must fail; returns its error lines and proves it wrote nothing."""
    before = database_state()
    with pytest.raises(CommandError, match="nothing was written"):
        path = tmp_path / "bad.json"
        path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
        stderr = io.StringIO()
        try:
            call_command("import_interventions", str(path), stderr=stderr)
        finally:
            errors = stderr.getvalue().splitlines()
    assert database_state() == before
    return errors


def database_state():
    return {
        "pages": list(Page.objects.order_by("pk").values_list("pk", "title", "live")),
        "revisions": Revision.objects.count(),
        "domains": OutcomeDomain.objects.count(),
        "export": export_document(),
    }


def test_creates_publishes_and_reports_counts(tmp_path):
    record = RecordFactory(slug="new-programme", title="New programme", outcomes=[OutcomeFactory(domain="brand-new")])
    stdout, _ = run_import(tmp_path, document(record))
    assert "1 created, 0 updated, 0 unchanged" in stdout
    assert "new vocabulary term: outcome domain: brand-new" in stdout
    page = InterventionPage.objects.get(slug="new-programme")
    assert page.live and page.live_revision is not None
    assert page.studies.get().citation == record["studies"][0]["citation"]
    assert page.outcomes.get().domain.labels["en"] == "Brand new"


def records_of_every_shape():
    """Records that use every part of the format between them: translations, a Spanish original, all the EMMIE texts,
    money, effect sizes, structured citations, ratings elsewhere, links and terms."""
    emmie = {
        f"{name}_html": f"<p>{name.title()} of the programme.</p>"
        for name in ("mechanism", "moderators", "implementation", "transferability")
    }
    return [
        RecordFactory(
            slug="youth-cbt",
            title="Cognitive behavioural therapy for young people",
            also_known_as=["Youth CBT"],
            description_html="<p>Weekly <strong>group sessions</strong> at school.</p>",
            intervention_types=["cognitive-behavioural-therapy", "school-based-prevention"],
            settings=["school"],
            target_groups=["at-risk-youth", "young-men"],
            age_min=12,
            age_max=17,
            genders=["male"],
            countries=["US"],
            places=["A synthetic city"],
            start_year=2009,
            end_year=None,
            implementers=["A school district"],
            cost_per_participant={"amount": 1500, "currency": "USD", "year": 2020},
            benefit_cost_ratio={"low": 3, "high": 10, "source_study": "trial"},
            studies=[
                StudyFactory(
                    key="trial",
                    design="rct",
                    sample_size=2000,
                    countries=["US"],
                    doi="10.1234/synthetic.trial",
                    maryland_sms=5,
                    authors=["Example, Ana", "Sample, Ben"],
                    title="A trial of group therapy at school",
                    publication_type="journal-article",
                    venue="Journal of Tests",
                    volume="12",
                    issue="3",
                    pages="1-20",
                )
            ],
            outcomes=[
                OutcomeFactory(
                    study="trial",
                    effect_size={"metric": "percent-change", "value": -40, "ci_low": -60, "ci_high": -20},
                    significant=True,
                    follow_up_months=12,
                ),
                OutcomeFactory(domain="education", measure="School attendance", direction="no-effect", study="trial"),
            ],
            links=[{"title": "Programme site", "url": "https://example.org/youth-cbt"}],
            tags=["youth violence", "therapy"],
            external_ratings=[{"source": "A clearinghouse", "rating": "Promising", "assessed_year": 2021}],
            last_reviewed="2026-01-15",
            translations={
                "es": {
                    "title": "Terapia cognitivo-conductual para jóvenes",
                    "summary": "Sesiones semanales en la escuela.",
                    "outcome_measures": ["Detenciones por delitos violentos", "Asistencia escolar"],
                    **emmie,
                },
                "pt": {"title": "Terapia cognitivo-comportamental para jovens"},
            },
            **emmie,
        ),
        RecordFactory(
            slug="cash-deposit-limits",
            locale="es",
            title="Límites a los depósitos en efectivo",
            pillars=["disrupting-illicit-markets"],
            evidence_rating="mixed",
            outcomes=[
                OutcomeFactory(domain="illicit-financial-flows", measure="Dólares depositados", study="main-study")
            ],
        ),
        RecordFactory(slug="street-lighting", title="Street lighting", evidence_rating="insufficient", outcomes=[]),
    ]


def test_second_run_of_the_same_file_changes_nothing_and_says_so(tmp_path):
    records = document(*records_of_every_shape())
    assert "3 created" in run_import(tmp_path, records)[0]
    revisions = Revision.objects.count()
    stdout, _ = run_import(tmp_path, records)
    assert "0 created, 0 updated, 3 unchanged" in stdout
    assert "Nothing changed." in stdout
    assert Revision.objects.count() == revisions


def test_updates_by_slug(tmp_path):
    record = RecordFactory(slug="changing", evidence_rating="promising")
    run_import(tmp_path, document(record))
    stdout, _ = run_import(tmp_path, document({**record, "evidence_rating": "effective", "title": "Renamed"}))
    assert "0 created, 1 updated" in stdout
    page = InterventionPage.objects.get(slug="changing")
    assert (page.title, page.evidence_rating) == ("Renamed", "effective")
    assert InterventionPage.objects.filter(slug="changing").count() == 1


def test_dry_run_validates_and_writes_nothing(tmp_path):
    before = database_state()
    stdout, _ = run_import(tmp_path, document(RecordFactory()), "--dry-run")
    assert "Dry run, nothing written: would have 1 created" in stdout
    assert database_state() == before


def test_translations_become_wagtail_translated_pages(tmp_path):
    record = RecordFactory(
        slug="translated",
        title="Anonymous crime hotline",
        translations={"pt": {"title": "Disque Denúncia", "summary": "Central de denúncias anônimas."}},
    )
    run_import(tmp_path, document(record))
    source = InterventionPage.objects.get(slug="translated", locale__language_code="en")
    translated = source.get_translation(Locale.objects.get(language_code="pt"))
    assert translated.live
    assert (translated.title, translated.specific.summary) == ("Disque Denúncia", "Central de denúncias anônimas.")
    assert translated.get_parent().locale.language_code == "pt"
    assert translated.url.startswith("/pt/")


def test_works_on_a_freshly_migrated_site_without_an_index(tmp_path):
    for index in InterventionIndexPage.objects.all():
        index.delete()
    run_import(tmp_path, document(RecordFactory(slug="first-record")))
    page = InterventionPage.objects.get(slug="first-record")
    assert isinstance(page.get_parent().specific, InterventionIndexPage)
    assert page.get_url() == "/interventions/first-record/"


def test_the_import_itself_creates_no_pages_and_says_what_creates_them():
    for index in InterventionIndexPage.objects.all():
        index.delete()
    pages = Page.objects.count()
    with pytest.raises(MissingPageTree, match="no interventions index page in 'en'.*ensure_page_tree"):
        import_document(document(RecordFactory(slug="homeless-record")))
    assert Page.objects.count() == pages
    ensure_page_tree()
    import_document(document(RecordFactory(slug="homeless-record")))
    assert InterventionPage.objects.get(slug="homeless-record").get_url() == "/interventions/homeless-record/"


def test_a_dry_run_on_a_freshly_migrated_site_creates_no_pages(tmp_path):
    for index in InterventionIndexPage.objects.all():
        index.delete()
    pages = Page.objects.count()
    stdout, _stderr = run_import(tmp_path, document(RecordFactory(slug="dry-record")), "--dry-run")
    assert "Dry run, nothing written: would have 1 created" in stdout
    assert Page.objects.count() == pages


def test_imported_records_are_found_by_search_at_once(tmp_path):
    record = RecordFactory(slug="searchable", title="Zyxwv lighting", summary="Street lighting programme.")
    record["studies"][0]["citation"] = "Quixotic, A. (2020). Lights and crime."
    run_import(tmp_path, document(record))
    assert [page.slug for page in InterventionPage.objects.live().search("zyxwv")] == ["searchable"]
    assert [page.slug for page in InterventionPage.objects.live().search("quixotic")] == ["searchable"]


def test_description_html_is_sanitized(tmp_path):
    html = (
        '<p onclick="steal()">Safe <strong>text</strong><script>alert(1)</script>'
        '<img src="x" onerror="alert(2)"><a href="javascript:alert(3)">bad link</a>'
        '<a href="https://example.org/report">report</a><style>p{}</style></p>'
    )
    run_import(tmp_path, document(RecordFactory(slug="dirty", description_html=html)))
    stored = InterventionPage.objects.get(slug="dirty").description
    assert stored == '<p>Safe <strong>text</strong><a>bad link</a><a href="https://example.org/report">report</a></p>'


def test_emmie_texts_are_sanitized_in_the_record_and_its_translations(tmp_path):
    dirty = '<p onclick="steal()">How <script>alert(1)</script>it works</p>'
    record = RecordFactory(
        slug="emmie",
        mechanism_html=dirty,
        moderators_html=dirty,
        implementation_html=dirty,
        transferability_html=dirty,
        translations={"es": {"title": "EMMIE", "mechanism_html": dirty, "transferability_html": dirty}},
    )
    run_import(tmp_path, document(record))
    for page in InterventionPage.objects.filter(slug="emmie"):
        texts = [page.mechanism, page.moderators, page.implementation, page.transferability]
        assert texts == ["<p>How it works</p>"] * 4


def test_a_translation_gives_its_own_outcome_measures(tmp_path):
    record = RecordFactory(
        slug="measured",
        outcomes=[OutcomeFactory(study="main-study", measure="Violent-crime arrests")],
        translations={"es": {"title": "Medido", "outcome_measures": ["Detenciones por delitos violentos"]}},
    )
    run_import(tmp_path, document(record))
    measures = dict(
        InterventionPage.objects.filter(slug="measured").values_list("locale__language_code", "outcomes__measure")
    )
    assert measures == {"en": "Violent-crime arrests", "es": "Detenciones por delitos violentos"}


def test_outcome_measures_must_match_the_outcomes_one_for_one(tmp_path):
    record = RecordFactory(
        outcomes=[OutcomeFactory(study="main-study"), OutcomeFactory(study="main-study", measure="homicides")],
        translations={"pt": {"title": "Traduzido", "outcome_measures": ["homicídios"]}},
    )
    assert failed_import(tmp_path, document(record)) == [
        "interventions[0].translations.pt.outcome_measures: 1 measure(s) for 2 outcome(s); give one translated "
        "measure per outcome, in the order of the outcomes"
    ]


def test_last_reviewed_must_be_a_real_date(tmp_path):
    errors = failed_import(tmp_path, document(RecordFactory(last_reviewed="2026-02-30")))
    assert len(errors) == 1 and errors[0].startswith("interventions[0].last_reviewed: ")
    assert "invalid date" in errors[0]


@pytest.mark.parametrize(
    "html, sanitized",
    [
        ("<P>Code <SCRIPT>alert(1)</SCRIPT>gone</P>", "<p>Code gone</p>"),
        ("<p>Drawing<svg><text>label</text></svg></p>", "<p>Drawing</p>"),
        ("<p>one<p>two &eacute; &amp; <i>three", "<p>one</p><p>two &eacute; &amp; <i>three</i></p>"),
        ("<p>unclosed <strong>bold</p> after", "<p>unclosed <strong>bold</strong></p><strong> after</strong>"),
    ],
)
def test_sanitizing_drops_code_in_any_case_and_changes_nothing_the_second_time(html, sanitized):
    # Without a dropped element, only bleach reads the HTML; with one, a first pass removes it whole.
    assert sanitize_html(html) == sanitized
    assert sanitize_html(sanitized) == sanitized


def test_invalid_json_is_reported_with_its_position(tmp_path):
    errors = failed_import(tmp_path, '{"format": "interventions-v1", "interventions": [}')
    assert errors == ["$: not valid JSON: Expecting value at line 1, column 50"]


def test_wrong_enum_is_reported_with_its_json_path(tmp_path):
    records = [RecordFactory() for _ in range(4)]
    records[3]["pillars"] = ["x"]
    errors = failed_import(tmp_path, document(*records))
    assert len(errors) == 1
    assert errors[0].startswith("interventions[3].pillars[0]: 'x' is not one of ['protecting-vulnerable-populations'")


def test_missing_required_field(tmp_path):
    record = RecordFactory()
    del record["evidence_rating"]
    assert failed_import(tmp_path, document(record)) == ["interventions[0]: 'evidence_rating' is a required property"]


def test_every_error_is_listed_not_just_the_first(tmp_path):
    first, second = RecordFactory(age_min=20, age_max=10), RecordFactory()
    second["outcomes"][0]["direction"] = "better"
    errors = failed_import(tmp_path, document(first, second))
    assert errors == [
        "interventions[1].outcomes[0].direction: 'better' is not one of "
        "['desirable', 'undesirable', 'no-effect', 'mixed', 'not-estimated']"
    ]
    # Schema errors come first; once the schema holds, every rule of the domain is reported together.
    third = RecordFactory(start_year=2010, end_year=2000)
    errors = failed_import(tmp_path, document(first, third))
    assert [error.split(":")[0] for error in errors] == ["interventions[0].age_max", "interventions[1].end_year"]


def test_outcome_citing_a_missing_study(tmp_path):
    record = RecordFactory(outcomes=[OutcomeFactory(study="no-such-study")])
    assert failed_import(tmp_path, document(record)) == [
        "interventions[0].outcomes[0].study: No study of this intervention has the key 'no-such-study'."
    ]


def test_benefit_cost_ratio_citing_a_missing_study(tmp_path):
    record = RecordFactory(benefit_cost_ratio={"low": 2, "source_study": "ghost"})
    errors = failed_import(tmp_path, document(record))
    assert errors == [
        "interventions[0].benefit_cost_ratio.source_study: No study of this intervention has the key 'ghost'."
    ]


def test_age_min_above_age_max(tmp_path):
    errors = failed_import(tmp_path, document(RecordFactory(age_min=18, age_max=10)))
    assert errors == ["interventions[0].age_max: The maximum age (10) is below the minimum age (18)."]


def test_confidence_interval_not_around_the_effect(tmp_path):
    outcome = OutcomeFactory(effect_size={"metric": "risk-ratio", "value": 0.8, "ci_low": 0.9, "ci_high": 1.2})
    errors = failed_import(tmp_path, document(RecordFactory(outcomes=[outcome])))
    assert errors == [
        "interventions[0].outcomes[0].effect_size.ci_low: The lower bound (0.9) is above the effect size (0.8)."
    ]


def test_duplicate_slugs_and_study_keys(tmp_path):
    first = RecordFactory(slug="twice")
    second = RecordFactory(slug="twice", studies=[StudyFactory(key="same"), StudyFactory(key="same")], outcomes=[])
    errors = failed_import(tmp_path, document(first, second))
    assert errors == [
        "interventions[1].slug: 'twice' is also the slug of interventions[0]",
        "interventions[1].studies[1].key: Another study of this intervention already has the key 'same'.",
    ]


def test_unknown_country_code_is_refused(tmp_path):
    errors = failed_import(tmp_path, document(RecordFactory(countries=["BR", "XX"])))
    assert errors == ["interventions[0].countries: Unknown value(s): XX."]


def test_nul_characters_and_numbers_json_does_not_have_are_reported_with_their_paths(tmp_path):
    # Python's json reads NaN and ±Infinity, and PostgreSQL refuses a NUL in any text: none may reach a model.
    records = [RecordFactory() for _ in range(4)]
    records[0]["benefit_cost_ratio"] = {"low": float("nan"), "high": float("inf")}
    records[1]["outcomes"][0]["measure"] = "arrests\x00"
    records[2]["age_min"] = float("-inf")
    records[2]["translations"] = {"es\x00": {"title": "Programa"}}
    records[3]["summary"] = "Before\x00after"
    errors = failed_import(tmp_path, document(*records))
    assert errors == [
        "interventions[0].benefit_cost_ratio.low: expected a finite number, not NaN",
        "interventions[0].benefit_cost_ratio.high: expected a finite number, not Infinity",
        "interventions[1].outcomes[0].measure: expected text without a NUL character (\\u0000)",
        "interventions[2].age_min: expected a finite number, not -Infinity",
        'interventions[2].translations: expected names without a NUL character (\\u0000), not "es\\u0000"',
        "interventions[3].summary: expected text without a NUL character (\\u0000)",
    ]


def test_one_bad_record_keeps_the_good_ones_out_too(tmp_path):
    good, bad = RecordFactory(slug="good-one"), RecordFactory(slug="bad-one", age_min=30, age_max=20)
    failed_import(tmp_path, document(good, bad))
    assert not InterventionPage.objects.filter(slug__in=["good-one", "bad-one"]).exists()


def test_unreadable_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_interventions", str(tmp_path / "missing.json"))


def test_an_import_pauses_garbage_collection_only_while_it_runs(tmp_path):
    assert gc.isenabled()
    run_import(tmp_path, document(RecordFactory()))
    assert gc.isenabled()
    failed_import(tmp_path, document(RecordFactory(evidence_rating="miracle")))
    assert gc.isenabled()
    gc.disable()
    try:
        run_import(tmp_path, document(RecordFactory()))
        assert not gc.isenabled()
    finally:
        gc.enable()
