"""Gunicorn's settings for the site, read from the working directory: start it from the repository's root with
`gunicorn kb_site.wsgi` (workers from --workers or WEB_CONCURRENCY, address from --bind)."""

# The application is loaded once, before the workers are forked, and the search data with it (when_ready): the
# workers share its memory, copy on write, and answer their first search at once. A worker that rebuilds its text
# index after a change holds its own copy from then on. New code needs a restart, not a HUP.
preload_app = True


def when_ready(server):
    from search.snapshot import warm_up

    warm_up()
