from pathlib import Path

from django.core.management.base import BaseCommand

from interventions.json_files import read_valid_json
from pillars.knowledge_products import import_knowledge_products, knowledge_product_errors


class Command(BaseCommand):
    help = (
        "Create or update knowledge products (guides, tools, methodologies) and their translations from a JSON file, "
        "under their pillars' pages, and publish them. Writes nothing if anything in the file is wrong."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, file, **options):
        data = read_valid_json(file, knowledge_product_errors, self.stderr)
        self.stdout.write(f"Knowledge products: {import_knowledge_products(data).summary()}")
