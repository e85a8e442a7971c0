from django.core.management.base import BaseCommand
from django.db import transaction
from wagtail.search.backends import get_search_backend

from search.documents import read_documents
from search.embeddings import embed_texts, text_hash
from search.models import VisiblePage
from search.record_types import RECORD_TYPES
from search.snapshot import mark_documents_changed
from search.text import is_elasticsearch


class Command(BaseCommand):
    help = (
        "Embed the passages of every page the search finds that have no stored sentence vector yet (texts already "
        "embedded are skipped), so that the search finds them by meaning as well as by their words."
    )

    def handle(self, **options):
        keys = sorted(set(VisiblePage.objects.values_list("page_id", flat=True)))
        documents = read_documents(keys).values()
        texts = [text for document in documents for text in document.passages()]
        with transaction.atomic():
            embedded = embed_texts(texts)
            # The search processes read the vectors of these pages' passages again.
            mark_documents_changed(
                [
                    document.key
                    for document in documents
                    if any(text_hash(passage) in embedded for passage in document.passages())
                ]
            )
        self.stdout.write(f"Passages: {len(texts)}, newly embedded: {len(embedded)}.")
        backend = get_search_backend()
        if is_elasticsearch(backend):
            # Elasticsearch holds each page's first vector in its document (search.elasticsearch): the pages go to it
            # again, through the queue of index updates, so that this never fails while Elasticsearch is down.
            changed = {document.key for document in documents if text_hash(document.passages()[0]) in embedded}
            for model in RECORD_TYPES.values():
                pages = list(model.objects.filter(pk__in=changed))
                if pages:
                    backend.add_bulk(model, pages)
            self.stdout.write(
                f"Pages queued for Elasticsearch: {len(changed)} (the index worker sends them: "
                "`manage.py db_worker --backend search_index`)."
            )
