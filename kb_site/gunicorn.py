"""Gunicorn's configuration (`gunicorn --config python:kb_site.gunicorn kb_site.wsgi`), all from the environment."""

import os

# GUNICORN_BIND (e.g. "unix:/run/kb/gunicorn.sock") if set; else every interface on PORT where a platform gives one
# (a Procfile host routes to it); else loopback only, for a proxy on the same machine.
if os.environ.get("GUNICORN_BIND"):
    bind = os.environ["GUNICORN_BIND"].split(",")
elif os.environ.get("PORT"):
    bind = [f"0.0.0.0:{os.environ['PORT']}"]  # noqa: S104 - the platform's router is the only way in
else:
    bind = ["127.0.0.1:8000"]

# Searches are CPU-bound (numpy), so one worker per core and one more to cover a worker waiting on the database.
# Each worker holds its own search snapshot: about 190 MiB at 10,000 records (README, Benchmark).
workers = int(os.environ.get("WEB_CONCURRENCY", str((os.cpu_count() or 1) + 1)))

# The application is loaded once, before the workers are forked, and the search data with it (when_ready): the
# workers share its memory, copy on write, and answer their first search at once. A worker that rebuilds its text
# index after a change holds its own copy from then on. New code needs a restart, not a HUP.
preload_app = True


def when_ready(server):
    from search.snapshot import warm_up

    warm_up()


# A worker that rebuilds its text index after a change (9 to 14 s at 10,000 records) may be slow to answer; a worker
# killed for taking too long would start again from nothing, so the limit is generous.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
# Behind a proxy that keeps connections open between requests.
keepalive = 5

# The app logs every request itself (operations.request_log), as JSON and without query strings.
accesslog = None
errorlog = "-"
# Gunicorn's control socket defaults to one path per user, which two servers on one machine would fight over;
# signals (HUP, TTIN, TTOU, TERM) manage the master as well.
control_socket_disable = True
