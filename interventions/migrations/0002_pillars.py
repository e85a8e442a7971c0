from django.db import migrations

PILLARS = [
    (
        "protecting-vulnerable-populations",
        "Protecting vulnerable populations",
        "Protección de poblaciones vulnerables",
        "Proteção de populações vulneráveis",
        "Protection des populations vulnérables",
    ),
    (
        "strengthening-institutions",
        "Strengthening security and justice institutions",
        "Fortalecimiento de las instituciones de seguridad y justicia",
        "Fortalecimento das instituições de segurança e justiça",
        "Renforcement des institutions de sécurité et de justice",
    ),
    (
        "disrupting-illicit-markets",
        "Disrupting illicit markets and financial flows",
        "Desarticulación de los mercados ilícitos y los flujos financieros",
        "Desarticulação dos mercados ilícitos e dos fluxos financeiros",
        "Démantèlement des marchés illicites et des flux financiers",
    ),
]


def create_pillars(apps, schema_editor):
    Pillar = apps.get_model("interventions", "Pillar")
    for slug, label_en, label_es, label_pt, label_fr in PILLARS:
        Pillar.objects.update_or_create(
            slug=slug,
            defaults={"label_en": label_en, "label_es": label_es, "label_pt": label_pt, "label_fr": label_fr},
        )


class Migration(migrations.Migration):
    dependencies = [("interventions", "0001_initial")]

    operations = [migrations.RunPython(create_pillars, migrations.RunPython.noop)]
