from django.core.management.base import BaseCommand
from django.db import transaction

from search.documents import read_documents
from search.embeddings import embed_texts
from search.models import VisiblePage
from search.snapshot import mark_changed


class Command(BaseCommand):
    help = (
        "Embed the passages of every page the search finds that have no stored sentence vector yet (texts already "
        "embedded are skipped), so that the search finds them by meaning as well as by their words."
    )

    def handle(self, **options):
        keys = sorted(set(VisiblePage.objects.values_list("page_id", flat=True)))
        texts = [text for document in read_documents(keys).values() for text in document.passages()]
        with transaction.atomic():
            embedded = embed_texts(texts)
            if embedded:
                mark_changed()
        self.stdout.write(f"Passages: {len(texts)}, newly embedded: {embedded}.")
