"""Elasticsearch's index updates go through a queue in the database, so that a write never waits for Elasticsearch,
nor fails with it.

A save, a delete, an import or `embed_records` asks the Elasticsearch backend to add or delete documents
(search.elasticsearch.Elasticsearch9SearchBackend); it queues `update_elasticsearch` with the pages' keys instead, in
the write's own transaction: the queued update exists if and only if the write does. The database search backend's
entries are still written at once, in that transaction, and answer searches while Elasticsearch cannot.

The index worker (`manage.py db_worker --backend search_index`, see README) runs the queue. Each update reads the
pages as they are then and sends them, or deletes the documents of pages that are gone. While Elasticsearch does not
answer (search.circuit) the update is queued again for after the circuit's cool-off, so the index catches up by
itself once Elasticsearch is back; `manage.py update_index` rebuilds it whole.
"""

from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from wagtail.search.backends import get_search_backends

from .circuit import ElasticsearchUnavailable, elasticsearch_circuit

# The task backend of the queue (settings.TASKS): a database one, whatever Wagtail's own tasks use.
TASK_BACKEND = "search_index"


def queue_update(model, keys):
    """Queues the update of these objects' documents: a row written in the current transaction, if there is one."""
    if keys:
        update_elasticsearch.enqueue(model._meta.label, sorted({str(key) for key in keys}))


@task(backend=TASK_BACKEND)
def update_elasticsearch(model_label, keys):
    """Brings the documents of these objects in step with the database, in every Elasticsearch backend; queued again
    for after the cool-off when Elasticsearch does not answer."""
    model = apps.get_model(model_label)
    try:
        for backend in elasticsearch_backends():
            elasticsearch_circuit.call(lambda backend=backend: send_documents(backend, model, keys))
    except ElasticsearchUnavailable as unavailable:
        retry_at = timezone.now() + timedelta(seconds=settings.ELASTICSEARCH_CIRCUIT_COOL_OFF)
        update_elasticsearch.using(run_after=retry_at).enqueue(model_label, keys)
        return {"queued_again_for": retry_at.isoformat(), "because": str(unavailable)}
    return {"updated": len(keys)}


def send_documents(backend, model, keys):
    """Sends the objects that are there, deletes the documents of those that are gone: through the index itself,
    since the backend's add and delete would queue them again."""
    index = backend.get_index_for_model(model)
    objects = list(model.get_indexed_objects().filter(pk__in=keys))
    index.add_items(model, objects)
    for gone in set(keys) - {str(obj.pk) for obj in objects}:
        index.delete_item(model(pk=gone))


def elasticsearch_backends():
    from .elasticsearch import Elasticsearch9SearchBackend

    return [
        backend
        for backend in get_search_backends(with_auto_update=True)
        if isinstance(backend, Elasticsearch9SearchBackend)
    ]


def queued_updates():
    """How many updates wait in the queue, those queued again for later included."""
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(backend_name=TASK_BACKEND, status=TaskResultStatus.READY).count()
