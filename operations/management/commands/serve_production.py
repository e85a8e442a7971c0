"""Serve the site with the production settings on loopback, over plain HTTP, from a fresh clone.

The production settings, WhiteNoise and gunicorn as a deployment runs them, with only what plain HTTP needs turned
off (the HTTPS redirect, HSTS and secure-only cookies), so that what is tried here is what is deployed.
"""

import os
import subprocess
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.core.management.utils import get_random_secret_key

# Outside git (.gitignore): a key made once per clone, so that sessions outlive a restart.
LOCAL_SECRET_KEY_FILE = settings.BASE_DIR / ".secret_key"


def local_secret_key(path):
    """The key kept in `path`, made on first use and readable by its owner only."""
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        key = get_random_secret_key()
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding="utf-8") as file:
            file.write(key + "\n")
        return key


def loopback_environment(port, environment):
    """`environment` with the production settings, served on 127.0.0.1:`port` over plain HTTP."""
    environment = dict(environment, DJANGO_SETTINGS_MODULE="kb_site.settings.production")
    if not environment.get("SECRET_KEY"):
        environment["SECRET_KEY"] = local_secret_key(LOCAL_SECRET_KEY_FILE)
    environment.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
    environment.setdefault("WAGTAILADMIN_BASE_URL", f"http://127.0.0.1:{port}")
    environment.update(
        GUNICORN_BIND=f"127.0.0.1:{port}",
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="0",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
    )
    return environment


class Command(BaseCommand):
    help = (
        "Migrate, collect static files and serve the site with the production settings and gunicorn on "
        "127.0.0.1 over plain HTTP. SQLite unless DATABASE_URL is set; SECRET_KEY from the environment, else a key "
        "made once and kept in .secret_key."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, help="gunicorn workers (default: WEB_CONCURRENCY, else cores + 1)")

    def handle(self, *, port, workers, **options):
        if not 1 <= port <= 65535:
            raise CommandError(f"--port must be between 1 and 65535, not {port}.")
        if workers is not None and workers < 1:
            raise CommandError(f"--workers must be at least 1, not {workers}.")
        environment = loopback_environment(port, os.environ)
        if workers is not None:
            environment["WEB_CONCURRENCY"] = str(workers)
        for command in (["migrate", "--noinput"], ["collectstatic", "--noinput", "--verbosity", "0"]):
            step = subprocess.run(  # noqa: S603 - this interpreter and this project's manage.py
                [sys.executable, str(settings.BASE_DIR / "manage.py"), *command], env=environment, check=False
            )
            if step.returncode:
                raise CommandError(f"manage.py {command[0]} failed (exit status {step.returncode}).")
        self.stdout.write(f"Serving http://127.0.0.1:{port}/ with kb_site.settings.production (Ctrl-C stops it).")
        self.stdout.flush()
        # gunicorn takes this process's place, so that a signal sent to it reaches gunicorn's master.
        os.chdir(settings.BASE_DIR)
        os.execve(  # noqa: S606 - this interpreter running gunicorn, with no shell between
            sys.executable,
            [sys.executable, "-m", "gunicorn", "--config", "python:kb_site.gunicorn", "kb_site.wsgi"],
            environment,
        )
