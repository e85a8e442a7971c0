"""Knowledge products, as a kind of record the search lists (see search.record_types; settings name it)."""

from django.utils.translation import gettext_lazy as _

from search.documents import Document, plain_text
from search.record_types import RecordType

from .models import KnowledgeProductPage


def knowledge_product_documents(keys):
    rows = KnowledgeProductPage.objects.filter(pk__in=keys).values_list(
        "pk", "locale__language_code", "title", "summary", "body", "authors"
    )
    documents = {}
    for key, language, title, summary, body, authors in rows:
        description = plain_text(body)
        documents[key] = Document(key, language, title, summary, [], [description, *authors], description)
    return documents


def load_knowledge_products(keys):
    return KnowledgeProductPage.objects.select_related("pillar").in_bulk(keys)


KNOWLEDGE_PRODUCTS = RecordType(
    "knowledge_product",
    _("Knowledge product"),
    KnowledgeProductPage,
    knowledge_product_documents,
    load_knowledge_products,
)
