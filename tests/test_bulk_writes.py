"""Keys allocated before an insert and statements sent in a pipeline (interventions/fast_path/bulk.py), which the
import writes its new pages with: keys are never given twice, a pipeline keeps the order and the all-or-nothing of a
transaction, and what it cannot do is refused with a clear error."""

import pytest
from django.db import IntegrityError, connection, transaction

from interventions.fast_path.bulk import allocate_keys, insert_objects, pipelined
from interventions.models import Setting

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="pipelines exist on PostgreSQL only; elsewhere statements run one by one"
)


def setting(slug, key=None):
    return Setting(pk=key, slug=slug, labels={"en": slug.title()})


def test_allocated_keys_are_new_even_after_the_last_rows_were_deleted():
    last = Setting.objects.create(slug="deleted-last", labels={"en": "Deleted"})
    deleted_key = last.pk
    last.delete()
    keys = allocate_keys(Setting, 3)
    assert len(set(keys)) == 3 and min(keys) > deleted_key
    # The table goes on after them: a row added the usual way takes none of them.
    insert_objects([setting(f"allocated-{key}", key) for key in keys])
    assert Setting.objects.create(slug="after-allocated", labels={"en": "After"}).pk > max(keys)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's AUTOINCREMENT counter only")
def test_a_sqlite_table_without_a_counter_gets_one_past_its_rows():
    highest = Setting.objects.create(slug="highest", labels={"en": "Highest"}).pk
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [Setting._meta.db_table])
    assert allocate_keys(Setting, 2) == [highest + 1, highest + 2]
    assert Setting.objects.create(slug="after-counter", labels={"en": "After"}).pk == highest + 3


def test_rows_inserted_in_a_pipeline_are_written_in_order_and_read_back_inside_it():
    keys = allocate_keys(Setting, 2)
    with pipelined():
        insert_objects([setting("piped-one", keys[0])])
        insert_objects([setting("piped-two", keys[1])])
        # A read waits for the statements sent before it.
        assert list(Setting.objects.filter(pk__in=keys).values_list("slug", flat=True).order_by("pk")) == [
            "piped-one",
            "piped-two",
        ]


def test_an_error_in_a_pipeline_is_djangos_and_the_transaction_writes_nothing():
    Setting.objects.create(slug="taken", labels={"en": "Taken"})
    keys = allocate_keys(Setting, 2)
    with pytest.raises(IntegrityError), transaction.atomic(), pipelined():
        insert_objects([setting("written-before", keys[0])])
        insert_objects([setting("taken", keys[1])])
    assert not Setting.objects.filter(slug="written-before").exists()
    assert Setting.objects.filter(slug="taken").count() == 1


@postgresql_only
@pytest.mark.parametrize(
    "statement",
    [
        lambda: Setting.objects.filter(slug="taken").update(labels={"en": "Changed"}),
        lambda: Setting.objects.filter(slug="taken").delete(),
        lambda: Setting.objects.get(slug="taken").save(),
    ],
    ids=["update", "delete", "save"],
)
def test_statements_whose_row_counts_django_reads_are_refused_in_a_pipeline(statement):
    Setting.objects.create(slug="taken", labels={"en": "Taken"})
    with pytest.raises(RuntimeError, match="row count"), transaction.atomic(), pipelined():
        statement()
    assert Setting.objects.get(slug="taken").labels["en"] == "Taken"
