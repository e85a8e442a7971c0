from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction

from interventions.json_files import read_valid_json
from pillars.knowledge_products import import_knowledge_products, knowledge_product_errors
from pillars.page_tree import ensure_pillar_pages


class Command(BaseCommand):
    help = (
        "Create or update knowledge products (guides, tools, methodologies) and their translations from a JSON file, "
        "under their pillars' pages, and publish them. Writes nothing if anything in the file is wrong."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, file, **options):
        data = read_valid_json(file, knowledge_product_errors, self.stderr)
        with transaction.atomic():
            # A new site has no pillar pages for the products to go under: the command creates them (the import
            # itself never does), in the import's transaction.
            ensure_pillar_pages()
            report = import_knowledge_products(data)
        self.stdout.write(f"Knowledge products: {report.summary()}")
