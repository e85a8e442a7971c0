"""Readiness checks for `/readyz`: the database answers, every migration is applied, and which search backend answers.

`/readyz` is public, so a failing check says what failed and never why in the database's words (which can name
hosts and users): the server log has the traceback.
"""

import logging

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor

from search.health import backend_status

logger = logging.getLogger(__name__)


class NotReady(Exception):
    """A check failed for a reason that can be shown to anyone."""


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {}


def check_migrations():
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        raise NotReady(f"{len(plan)} migrations are not applied")
    return {}


def check_search():
    # Never fails: when Elasticsearch cannot answer, the database backend does, so the site still serves searches.
    return backend_status()


CHECKS = {"database": check_database, "migrations": check_migrations, "search": check_search}


def readiness():
    """{check name: {"ok": bool, "error": why not (when not ok), and what the check reports}}."""
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = {"ok": True, **check()}
        except NotReady as not_ready:
            results[name] = {"ok": False, "error": str(not_ready)}
        except DatabaseError:
            logger.exception("Readiness check %r failed", name)
            results[name] = {"ok": False, "error": "the database did not answer (see the server log)"}
    return results
