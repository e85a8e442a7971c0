"""The restore drill: back up a scratch database of the suite's engine (SQLite or PostgreSQL) with the real records
and a media file, destroy it, restore it, and compare the interchange export and the media file before and after.

The scratch database is a file (SQLite) or a database beside the suite's own (PostgreSQL), used by `manage.py` in
subprocesses with its own DATABASE_URL and MEDIA_ROOT: the suite's database is never touched.
"""

import json
import os
import shutil
import subprocess
import sys

import psycopg
import pytest
from django.db import connection
from psycopg import sql

from operations.backups import BackupError, back_up
from tests.conftest import FIXTURE_FILE, REPO, VOCABULARY_FILE

MEDIA_FILE = "documents/guide.pdf"
MEDIA_BYTES = b"%PDF-1.4 a guide for the restore drill\n"


class ScratchDatabase:
    """A database of the suite's engine that the drill may destroy and create again."""

    def __init__(self, directory):
        self.vendor = connection.vendor
        settings = connection.settings_dict
        if self.vendor == "sqlite":
            self.path = directory / "scratch.sqlite3"
            self.url = f"sqlite:///{self.path}"
            return
        # Named after the suite's database (test_<name>), so that drills of several clones never meet.
        self.name = f"{settings['NAME']}_restore_drill"
        self.server = {
            "host": settings["HOST"] or None,
            "port": settings["PORT"] or None,
            "user": settings["USER"] or None,
            "password": settings["PASSWORD"] or None,
        }
        credentials = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
        self.url = f"postgres://{credentials}@{settings['HOST']}:{settings['PORT'] or 5432}/{self.name}"

    def create(self):
        if self.vendor == "postgresql":
            self.maintenance("CREATE DATABASE {}")

    def destroy(self):
        if self.vendor == "sqlite":
            self.path.unlink(missing_ok=True)
        else:
            self.maintenance("DROP DATABASE IF EXISTS {} WITH (FORCE)")

    def maintenance(self, statement):
        with psycopg.connect(dbname="postgres", autocommit=True, **self.server) as server:
            server.execute(sql.SQL(statement).format(sql.Identifier(self.name)))


@pytest.fixture(scope="module")
def drill(tmp_path_factory):
    """A scratch site (database and MEDIA_ROOT) with the real records and a media file, its export, and a backup."""
    directory = tmp_path_factory.mktemp("drill")
    database = ScratchDatabase(directory)
    database.destroy()
    database.create()
    media_root = directory / "media"
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kb_site.settings.test",
        "DATABASE_URL": database.url,
        "MEDIA_ROOT": str(media_root),
    }
    environment.pop("ELASTICSEARCH_URL", None)

    def manage(*arguments, succeed=True):
        result = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", *arguments], cwd=REPO, env=environment, capture_output=True, text=True
        )
        assert (result.returncode == 0) == succeed, result.stderr
        return result

    manage("migrate", "--verbosity=0")
    manage("import_vocabulary", str(VOCABULARY_FILE))
    manage("import_interventions", str(FIXTURE_FILE))
    (media_root / MEDIA_FILE).parent.mkdir(parents=True)
    (media_root / MEDIA_FILE).write_bytes(MEDIA_BYTES)
    manage("backup", str(directory / "backup"))
    yield {
        "manage": manage,
        "database": database,
        "media_root": media_root,
        "backup": directory / "backup",
        "export": manage("export_interventions").stdout,
    }
    database.destroy()


def test_a_backup_holds_the_database_the_media_and_the_export_with_their_checksums(drill, fixture_document):
    manifest = json.loads((drill["backup"] / "manifest.json").read_text())
    database_file = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}[connection.vendor]
    assert set(manifest["files"]) == {database_file, "media.tar.gz", "interventions.json"}
    assert manifest["database_engine"] == connection.vendor and manifest["interventions"] == len(
        fixture_document["interventions"]
    )
    assert (drill["backup"] / "interventions.json").read_text() == drill["export"]


def test_restore_drill_back_up_destroy_restore_compare(drill):
    drill["database"].destroy()
    drill["database"].create()
    shutil.rmtree(drill["media_root"])
    drill["manage"]("restore", str(drill["backup"]))
    assert drill["manage"]("export_interventions").stdout == drill["export"]
    assert (drill["media_root"] / MEDIA_FILE).read_bytes() == MEDIA_BYTES


def test_restore_refuses_a_database_that_holds_data_unless_forced(drill):
    refused = drill["manage"]("restore", str(drill["backup"]), succeed=False)
    assert "already holds" in refused.stderr and "--force" in refused.stderr
    (drill["media_root"] / "uploaded-since.txt").write_text("new")
    drill["manage"]("restore", "--force", str(drill["backup"]))
    assert drill["manage"]("export_interventions").stdout == drill["export"]
    assert sorted(path.name for path in drill["media_root"].rglob("*") if path.is_file()) == ["guide.pdf"]


def test_restore_refuses_a_damaged_backup_and_changes_nothing(drill, tmp_path):
    damaged = tmp_path / "damaged"
    shutil.copytree(drill["backup"], damaged)
    with (damaged / "media.tar.gz").open("ab") as archive:
        archive.write(b"\0")
    refused = drill["manage"]("restore", "--force", str(damaged), succeed=False)
    assert "media.tar.gz does not match its checksum" in refused.stderr
    assert drill["manage"]("export_interventions").stdout == drill["export"]


def test_a_backup_goes_into_a_new_or_empty_directory(tmp_path):
    (tmp_path / "earlier.txt").write_text("an earlier backup")
    with pytest.raises(BackupError, match="is not empty"):
        back_up(tmp_path)
