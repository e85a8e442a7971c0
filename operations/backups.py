"""Backups of the whole site and their restore: the database, the uploaded media and the interchange export.

A backup is a directory:

- `database.sqlite3` (SQLite's online backup API: a consistent copy while the site runs) or `database.pgdump`
  (`pg_dump -Fc`, PostgreSQL's custom format, restored with `pg_restore`);
- `media.tar.gz`, every file under MEDIA_ROOT (documents, images and their renditions);
- `interventions.json`, every published intervention in the interventions-v1 format (`export_interventions`): the
  portable copy, which any version of the site or another system can import;
- `manifest.json`, what the backup holds, when and from which database engine it was made, with each file's size and
  SHA-256, checked before a restore touches anything.

A restore replaces the database and MEDIA_ROOT with the backup's. It refuses a backup whose files do not match their
checksums, a backup of another database engine (the interchange export moves records between engines), and a
database or MEDIA_ROOT that already holds something, unless forced.
"""

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connection

from interventions.management.commands.export_interventions import write_export

FORMAT = "kb-backup-1"
MANIFEST = "manifest.json"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
MEDIA_FILE = "media.tar.gz"
EXPORT_FILE = "interventions.json"


class BackupError(Exception):
    """A backup or restore that cannot go ahead; nothing has been changed."""


def back_up(directory):
    """Writes a backup of the database, MEDIA_ROOT and the interchange export into `directory` (new, or empty);
    returns its manifest."""
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty: give a new directory for each backup.")
    directory.mkdir(parents=True, exist_ok=True)
    engine = database_engine()
    database_file = directory / DATABASE_FILES[engine]
    if engine == "sqlite":
        copy_sqlite(database_file)
    else:
        dump_postgresql(database_file)
    with tarfile.open(directory / MEDIA_FILE, "w:gz") as archive:
        media_root = Path(settings.MEDIA_ROOT)
        if media_root.exists():
            archive.add(media_root, arcname=".")
    with (directory / EXPORT_FILE).open("w", encoding="utf-8") as output:
        interventions = write_export(output)
    manifest = {
        "format": FORMAT,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "database_engine": engine,
        "interventions": interventions,
        "files": {
            path.name: {"bytes": path.stat().st_size, "sha256": sha256(path)}
            for path in (database_file, directory / MEDIA_FILE, directory / EXPORT_FILE)
        },
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def restore(directory, force=False):
    """Replaces the database and MEDIA_ROOT with those of the backup in `directory`, after checking everything it
    can first (see the module's docstring); returns the backup's manifest."""
    directory = Path(directory)
    manifest = verified_manifest(directory)
    engine = database_engine()
    if manifest["database_engine"] != engine:
        raise BackupError(
            f"This backup is of a {manifest['database_engine']} database and the site runs on {engine}: restore it "
            f"onto {manifest['database_engine']}, or import its {EXPORT_FILE} with import_interventions."
        )
    if not force:
        tables = connection.introspection.table_names()
        if tables:
            raise BackupError(
                f"The database already holds {len(tables)} tables, which a restore replaces: restore into an empty "
                "database, or pass --force to replace them."
            )
        media_root = Path(settings.MEDIA_ROOT)
        if media_root.exists() and any(media_root.iterdir()):
            raise BackupError(f"MEDIA_ROOT ({media_root}) is not empty: pass --force to replace its files.")
    # The media are unpacked beside MEDIA_ROOT before the database is touched: a bad archive stops the restore there.
    with unpacked_media(directory / MEDIA_FILE) as media:
        if engine == "sqlite":
            restore_sqlite(directory / DATABASE_FILES[engine])
        else:
            restore_postgresql(directory / DATABASE_FILES[engine])
        replace_media_root(media)
    return manifest


def verified_manifest(directory):
    """The backup's manifest, once every file it lists has its size and checksum; BackupError otherwise."""
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{directory} holds no {MANIFEST}: is it a backup?") from None
    except json.JSONDecodeError as error:
        raise BackupError(f"{directory / MANIFEST} is not valid JSON: {error}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{directory / MANIFEST} is not a {FORMAT} manifest.")
    problems = []
    for name, expected in manifest["files"].items():
        path = directory / name
        if not path.is_file():
            problems.append(f"{name} is missing")
        elif path.stat().st_size != expected["bytes"] or sha256(path) != expected["sha256"]:
            problems.append(f"{name} does not match its checksum")
    if problems:
        raise BackupError(f"The backup in {directory} is damaged, nothing was restored: {'; '.join(problems)}.")
    return manifest


def sha256(path):
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def database_engine():
    if connection.vendor not in DATABASE_FILES:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {connection.vendor}.")
    return connection.vendor


def copy_sqlite(target):
    """A consistent copy of the live database, made while other processes go on reading and writing it."""
    connection.ensure_connection()
    with closing(sqlite3.connect(target)) as copy:
        connection.connection.backup(copy)


def restore_sqlite(source):
    connection.ensure_connection()
    with closing(sqlite3.connect(source)) as backup:
        backup.backup(connection.connection)


def postgresql_command(program, *arguments):
    """Runs pg_dump or pg_restore against the site's database; a missing program, another major version than the
    server's, or a failure is a BackupError with what the program said."""
    path = shutil.which(program)
    if path is None:
        raise BackupError(f"{program} is not installed: install the PostgreSQL client of the server's version.")
    version = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout  # noqa: S603
    client_major = int(re.search(r"(\d+)\.\d+", version)[1])
    connection.ensure_connection()
    server_major = connection.pg_version // 10000
    if client_major != server_major:
        raise BackupError(f"{program} is version {client_major} and the server {server_major}: they must match.")
    database = connection.settings_dict
    options = [f"--dbname={database['NAME']}"]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if database[key]:
            options.append(f"{option}={database[key]}")
    environment = {**os.environ, "PGPASSWORD": database["PASSWORD"]} if database["PASSWORD"] else None
    result = subprocess.run(  # noqa: S603
        [path, *options, *arguments], capture_output=True, text=True, env=environment, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{program} failed: {result.stderr.strip()}")


def dump_postgresql(target):
    postgresql_command("pg_dump", "--format=custom", "--no-owner", f"--file={target}")


def restore_postgresql(source):
    # One transaction: a restore that fails leaves the database as it was. --clean drops what the backup recreates.
    postgresql_command("pg_restore", "--clean", "--if-exists", "--single-transaction", "--no-owner", str(source))


@contextmanager
def unpacked_media(archive):
    """The media archive unpacked into a temporary directory beside MEDIA_ROOT, so that it can be renamed into
    place; removed afterwards if it was not."""
    media_root = Path(settings.MEDIA_ROOT)
    media_root.parent.mkdir(parents=True, exist_ok=True)
    directory = Path(tempfile.mkdtemp(prefix=".restore-", dir=media_root.parent))
    try:
        with tarfile.open(archive, "r:gz") as files:
            # "data": no absolute paths, nothing out of the directory, no devices.
            files.extractall(directory, filter="data")
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def replace_media_root(unpacked):
    """Puts the unpacked media in MEDIA_ROOT's place, then removes what was there."""
    media_root = Path(settings.MEDIA_ROOT)
    replaced = unpacked.with_name(unpacked.name + "-replaced")
    if media_root.exists():
        media_root.rename(replaced)
    unpacked.rename(media_root)
    shutil.rmtree(replaced, ignore_errors=True)
