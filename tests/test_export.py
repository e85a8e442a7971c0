"""export_interventions writes a valid interventions-v1 file, and importing it loses nothing."""

import io
import json

import pytest
from django.core.management import call_command

from interventions.interchange.exporter import document_text, export_document, normalize_record
from interventions.interchange.importer import import_document
from interventions.interchange.validation import schema_validator
from interventions.models import InterventionPage
from tests.factories import OutcomeFactory, RecordFactory, StudyFactory, document

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(import_records):
    """Records of each pillar, translated or not, one of them first written in Spanish."""
    return import_records(
        RecordFactory(
            slug="hot-spots-policing",
            title="Hot-spots policing",
            pillars=["strengthening-institutions"],
            countries=["CO"],
            evidence_rating="effective",
            translations={"es": {"title": "Patrullaje en puntos calientes"}, "pt": {"title": "Pontos quentes"}},
        ),
        RecordFactory(
            slug="youth-cbt",
            title="Cognitive behavioural therapy for young people",
            countries=["US"],
            translations={"es": {"title": "Terapia cognitivo-conductual para jóvenes", "summary": "Sesiones."}},
        ),
        RecordFactory(
            slug="cash-deposit-limits",
            title="Límites a los depósitos en efectivo",
            locale="es",
            pillars=["disrupting-illicit-markets"],
            evidence_rating="mixed",
            outcomes=[
                OutcomeFactory(domain="illicit-financial-flows", measure="Dólares depositados", study="main-study")
            ],
        ),
    )


def test_export_is_valid_against_the_schema(records):
    exported = export_document()
    assert len(exported["interventions"]) == 3
    assert list(schema_validator().iter_errors(exported)) == []


def test_importing_the_export_into_an_empty_site_gives_back_the_same_records(records):
    exported = export_document()
    assert len(exported["interventions"]) == 3
    for page in InterventionPage.objects.all():
        page.delete()
    import_document(exported)
    assert export_document() == exported


def test_every_optional_part_survives_a_round_trip():
    record = RecordFactory(
        slug="complete",
        locale="es",
        also_known_as=["Nombre corto"],
        description_html='<p>Con <em>énfasis</em> y <a href="https://example.org">enlace</a>.</p>',
        pillars=["strengthening-institutions", "disrupting-illicit-markets"],
        intervention_types=["crime-hotline"],
        settings=["community"],
        target_groups=["general-population"],
        age_min=0,
        age_max=120,
        genders=["female", "male"],
        countries=["BR", "CO"],
        places=["Rio de Janeiro"],
        start_year=1995,
        end_year=None,
        implementers=["MovRio"],
        evidence_rating="insufficient",
        cost_per_participant={"amount": 12.5, "currency": "BRL", "year": 2020},
        benefit_cost_ratio={"low": 1.5, "high": 2, "source_study": "main-study"},
        mechanism_html="<p>Cómo funciona.</p>",
        moderators_html="<p>Dónde y para quién.</p>",
        implementation_html="<ul><li>Qué se necesita.</li></ul>",
        transferability_html="<p>En la región.</p>",
        last_reviewed="2026-12-02",
        outcomes=[
            OutcomeFactory(
                study="main-study",
                effect_size={"metric": "odds-ratio", "value": 0.75, "ci_low": 0.5, "ci_high": 1.1},
                significant=False,
                follow_up_months=0,
            ),
            OutcomeFactory(study="main-study", measure="Llamadas recibidas", direction="not-estimated"),
        ],
        links=[{"title": "Sitio", "url": "https://example.org/sitio"}],
        tags=["Denúncia", "anónimo"],
        translations={
            "pt": {
                "title": "Completo",
                "summary": "Resumo.",
                "description_html": "<p>Descrição.</p>",
                "mechanism_html": "<p>Como funciona.</p>",
                "moderators_html": "<p>Onde e para quem.</p>",
                "implementation_html": "<p>O que é preciso.</p>",
                "transferability_html": "<p>Na região.</p>",
                "outcome_measures": ["Prisões por crimes violentos", "Chamadas recebidas"],
            }
        },
        external_ratings=[
            {"source": "CrimeSolutions", "rating": "Promising", "url": "https://example.org", "assessed_year": 2019}
        ],
    )
    record["studies"][0].update(
        maryland_sms=5,
        sample_size=2740,
        countries=["BR", "BR"],
        doi="10.1093/qje/qjw033",
        url="https://example.org/s",
        authors=["Heller, Sara B.", "Shah, Anuj K."],
        title="Thinking, Fast and Slow? Some Field Experiments to Reduce Crime and Dropout in Chicago",
        publication_type="journal-article",
        venue="The Quarterly Journal of Economics",
        volume="132",
        issue="1",
        pages="1–54",
    )
    import_document(document(record))
    exported = next(r for r in export_document()["interventions"] if r["slug"] == "complete")
    assert exported == normalize_record(record)
    assert exported["end_year"] is None
    assert exported["outcomes"][0]["significant"] is False
    assert exported["outcomes"][1]["direction"] == "not-estimated"
    assert exported["translations"]["pt"]["outcome_measures"] == ["Prisões por crimes violentos", "Chamadas recebidas"]
    # A second import of the same record changes nothing.
    assert import_document(document(record)).unchanged == ["complete"]


def test_command_writes_the_file(tmp_path, records):
    target = tmp_path / "export.json"
    stderr = io.StringIO()
    call_command("export_interventions", str(target), stderr=stderr)
    written = json.loads(target.read_text(encoding="utf-8"))
    assert written == export_document()
    assert f"Wrote {len(written['interventions'])} interventions" in stderr.getvalue()


def test_command_writes_to_standard_output_without_a_file(capsys):
    call_command("export_interventions")
    assert json.loads(capsys.readouterr().out)["format"] == "interventions-v1"


def test_unpublished_interventions_are_not_exported(records):
    page = InterventionPage.objects.get(slug="youth-cbt", locale__language_code="en")
    page.unpublish()
    assert {record["slug"] for record in export_document()["interventions"]} == {
        "hot-spots-policing",
        "cash-deposit-limits",
    }


@pytest.mark.parametrize("indent", [None, 2])
@pytest.mark.parametrize("count", [0, 1, 3])
def test_a_document_written_record_by_record_is_the_text_json_writes(records, indent, count):
    records = export_document()["interventions"][:count]
    assert len(records) == count
    whole = json.dumps({"format": "interventions-v1", "interventions": records}, ensure_ascii=False, indent=indent)
    assert "".join(document_text(records, indent=indent)) == whole


def test_command_reads_the_records_a_batch_at_a_time(tmp_path, django_assert_max_num_queries, import_records):
    """Its queries do not grow with the records (20 here, each with a translation, two studies, two outcomes and
    terms of every vocabulary, one batch)."""
    import_records(
        *(
            RecordFactory(
                slug=f"batch-{number}",
                intervention_types=["mentoring"],
                settings=["school"],
                target_groups=["at-risk-youth"],
                studies=[StudyFactory(key="first"), StudyFactory(key="second")],
                outcomes=[OutcomeFactory(study="first"), OutcomeFactory(domain="homicide", study="second")],
                translations={"es": {"title": f"Programa {number}"}},
            )
            for number in range(20)
        )
    )
    with django_assert_max_num_queries(15):
        call_command("export_interventions", str(tmp_path / "export.json"), stderr=io.StringIO())
    written = json.loads((tmp_path / "export.json").read_text(encoding="utf-8"))
    assert len(written["interventions"]) == 20
