"""Settings shared by every environment. Everything that differs between machines comes from the environment."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent


def flag(name, default):
    """A true/false environment variable; anything else is refused rather than read as one or the other."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value not in ("true", "false"):
        raise ImproperlyConfigured(f"Set the {name} environment variable to true or false, not {value!r}.")
    return value == "true"


INSTALLED_APPS = [
    "home",
    "interventions",
    "pillars",
    "search",
    "operations",
    "logins",
    "nominations",
    "changes",
    "wagtail.contrib.forms",
    "wagtail.contrib.search_promotions",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.sitemaps",
    "django.contrib.sitemaps",
    "wagtail.contrib.simple_translation",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail.locales",
    "wagtail",
    "modelcluster",
    "django_countries",
    "taggit",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    # Outermost, so that its line has every request's final status and whole duration, redirects included.
    "operations.request_log.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "kb_site.security_headers.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as django-axes asks: it turns a refused login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# Health probes reach the app server directly, over plain HTTP: where production redirects to HTTPS
# (SECURE_SSL_REDIRECT), they still get their answer.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

ROOT_URLCONF = "kb_site.urls"

# Content-Security-Policy (kb_site/security_headers.py), enforced everywhere so that development meets it first.
# The public pages load their own scripts, styles and images only, and nothing may frame them.
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
# Path prefix -> directives added under it. Wagtail 8's admin starts its widgets (choosers, date pickers, inline
# panels) with inline <script> elements, some rendered from Python where no request carries a nonce, and its rich
# text editor writes <style> elements whose text changes with the content and the editor's language: the admin
# allows inline elements, and still no inline event handler or style attribute (script-src-attr and
# style-src-attr fall back to 'self'). Django's admin needs nothing more than the public pages.
SECURE_CSP_BY_PATH = {
    "/admin/": {"script-src-elem": ["'self'", "'unsafe-inline'"], "style-src-elem": ["'self'", "'unsafe-inline'"]}
}
# The admin would fetch Wagtail's latest version number from its website; the pinned requirements say which runs.
WAGTAIL_ENABLE_UPDATE_CHECK = False
# Powerful browser features the site never uses, denied to it and to anything it could embed.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "kb_site.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Django's admin at /django-admin/ (see README, "Login throttling"): the Wagtail admin serves editors and
# superusers, so production leaves it out unless an operator turns it on.
DJANGO_ADMIN_ENABLED = flag("DJANGO_ADMIN_ENABLED", default=True)

# Login throttling (django-axes, README "Login throttling"): every password login through a request, in the Wagtail
# admin or Django's, is counted per account and per client address; at LOGIN_FAILURE_LIMIT failures within
# LOGIN_COOLOFF_MINUTES either one is refused, even with the right password, until that long after its last attempt.
AUTHENTICATION_BACKENDS = [
    "logins.backends.WebLoginThrottlingBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "logins.views.locked_out"
# The address is the connection's unless a proxy in front is trusted to name the client in this header (e.g.
# X-Real-IP): a client can send any header itself, so none is read unless configured.
CLIENT_IP_HEADER = os.environ.get("CLIENT_IP_HEADER", "")
AXES_CLIENT_IP_CALLABLE = "logins.client_address.client_address"
# The audit: every failure (and whether it locked out) besides axes' successful logins and current counts.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# Masked in the audit's copies of the form and in axes' log lines; the password always is.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "csrfmiddlewaretoken"]

# Public nominations (nominations.spam): a form sent sooner than this after it was served is refused as a bot's, and
# one client address may send this many nominations in a window of this many minutes (counted in Django's cache).
NOMINATION_MIN_SECONDS = float(os.environ.get("NOMINATION_MIN_SECONDS", "3"))
NOMINATION_RATE_LIMIT = int(os.environ.get("NOMINATION_RATE_LIMIT", "5"))
NOMINATION_RATE_WINDOW_MINUTES = int(os.environ.get("NOMINATION_RATE_WINDOW_MINUTES", "60"))

# The DOI lookup in the study editor (interventions.crossref): Crossref's REST API asks callers for an address to
# reach them (its "polite pool"); without one the lookup still runs. A lookup waits at most this many seconds.
CROSSREF_MAILTO = os.environ.get("CROSSREF_MAILTO", "")
CROSSREF_TIMEOUT_SECONDS = float(os.environ.get("CROSSREF_TIMEOUT_SECONDS", "5"))

# Review reminders (manage.py review_reminders, the admin's "due for review" filter): a live intervention whose
# evidence was last reviewed longer ago than this, or never, is due.
REVIEW_INTERVAL_MONTHS = int(os.environ.get("REVIEW_INTERVAL_MONTHS", "12"))

# Email (the nominators' status emails): written to the console, unless production settings name an SMTP server.
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "webmaster@localhost")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The interchange format's locales: the interface and the content share them.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("es", _("Spanish")),
    ("pt", _("Portuguese")),
    ("fr", _("French")),
]
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
LOCALE_PATHS = [BASE_DIR / "locale"]
# The footer. The open data needs a licence people can rely on: CC BY 4.0 lets ministries and researchers reuse and
# translate the records as long as they say where they came from. CONTACT_EMAIL, where set, is the editors' address.
DATA_LICENCE = {
    "name": os.environ.get("DATA_LICENCE_NAME", "CC BY 4.0"),
    "url": os.environ.get("DATA_LICENCE_URL", "https://creativecommons.org/licenses/by/4.0/"),
}
CONTACT_EMAIL = os.environ.get("CONTACT_EMAIL", "")
# Number formats where the region's differ from Django's (kb_site/formats/<language>/formats.py).
FORMAT_MODULE_PATH = ["kb_site.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
# Where `collectstatic` gathers the files that WhiteNoise serves in production.
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "static"))
STATIC_URL = "/static/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The intervention editor has many inline studies and outcomes.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

WAGTAIL_SITE_NAME = "What Works in Citizen Security"
# Editors' avatars are not fetched from Gravatar: a ministry's network may block it, and it tells Gravatar who edits.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://localhost:8000")
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "xlsx"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 20 * 1024 * 1024

# The kinds of page the search lists, in the order its content facet shows them: each a search.record_types.RecordType
# (its model, how search reads its pages and loads them for result lists). Search learns them here, so that it never
# imports the site apps that define them.
SEARCH_RECORD_TYPES = ["search.intervention_records.INTERVENTIONS", "pillars.search_records.KNOWLEDGE_PRODUCTS"]

# Unset: Wagtail's database backend (SQLite FTS5 or PostgreSQL full text). Set: Elasticsearch 9, with the
# database backend kept up to date beside it to answer when Elasticsearch cannot.
DATABASE_SEARCH_BACKEND = {
    "BACKEND": "wagtail.search.backends.database",
    # PostgreSQL only (search/migrations/0002): English stemming after unaccent.
    "SEARCH_CONFIG": "kb_search",
}
# Content language -> Snowball stemmer language, the same names for PyStemmer (search.analysis) and for
# Elasticsearch's snowball filter, so that both backends reduce a word to the same stem.
STEMMED_LANGUAGES = {"en": "english", "es": "spanish", "pt": "portuguese", "fr": "french"}
# Elasticsearch analysis. Every text field is indexed twice: as folded words (the field itself, and Wagtail's
# _all_text copies, through "default") and through each language's stemming analyzer (the subfields .en, .es, .pt,
# .fr that search.elasticsearch.Elasticsearch9Mapping gives every searchable text field). Queries of the subfields go
# through the "_search" twins of their analyzers, which search.elasticsearch.index_settings() gives the thesaurus'
# synonyms when an index is created: synonyms apply at search time only, never at index time, and only to stems
# (typos are forgiven on the folded words, and Elasticsearch applies no fuzziness to a word that has synonyms).
# Each chain folds case and accents first: the synonym rules are folded, and they must come before the stop words
# (Elasticsearch rejects a rule that has a stop word removed inside it), so the stop words and the stemmer see
# folded words. Both sides of a field use the same chain, so they always agree with each other; a stop word with an
# accent (Spanish "más") is not dropped, and a handful of words stem differently from PyStemmer's
# stem-then-fold (search.analysis), e.g. when a Spanish suffix carries the accent.
ELASTICSEARCH_INDEX_SETTINGS = {
    "settings": {
        "analysis": {
            "analyzer": {
                "default": {"type": "custom", "tokenizer": "standard", "filter": ["lowercase", "asciifolding"]},
                **{
                    f"kb_{language}{suffix}": {
                        "type": "custom",
                        "tokenizer": "standard",
                        "filter": ["lowercase", "asciifolding", f"{language}_stop", f"{language}_stemmer"],
                    }
                    for language in STEMMED_LANGUAGES.values()
                    for suffix in ("", "_search")
                },
            },
            "filter": {
                **{
                    f"{language}_stop": {"type": "stop", "stopwords": f"_{language}_"}
                    for language in STEMMED_LANGUAGES.values()
                },
                **{
                    f"{language}_stemmer": {"type": "snowball", "language": language.capitalize()}
                    for language in STEMMED_LANGUAGES.values()
                },
            },
        }
    }
}
# Imports publish and index their pages through interventions/fast_path, a few statements for thousands of pages,
# on the Wagtail, modelsearch and django-treebeard versions it was tested with; off (or on other versions), through
# Wagtail's public API, page by page: slower, the same pages, revisions and search entries.
FAST_IMPORT = flag("FAST_IMPORT", default=True)
# The most interventions one export file (/search/export.csv, .json) holds; larger results are downloaded in parts
# (`offset`), so that no download holds a worker for long: at 10,000 the JSON takes about 19 s (README, Exports).
SEARCH_EXPORT_MAX_RECORDS = int(os.environ.get("SEARCH_EXPORT_MAX_RECORDS", "10000"))
# A search text index (search.snapshot) that took longer than this to build is rebuilt in the background after a
# change, while searches go on with the one before: a few seconds at ten thousand records, which no visitor should
# wait for. What a visitor may see stays current all the same (visible pages and facets come from the snapshot,
# rebuilt at once): only the words and meaning of the pages written meanwhile are matched a little late.
SEARCH_TEXT_INDEX_SYNCHRONOUS_SECONDS = float(os.environ.get("SEARCH_TEXT_INDEX_SYNCHRONOUS_SECONDS", "1.0"))
ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "")
# Seconds each request of a text search may take (connecting included) before the database backend answers it; a
# search is never tried again. Index updates, which the index worker sends in the background, and `update_index` may
# take ELASTICSEARCH_INDEX_TIMEOUT.
ELASTICSEARCH_TIMEOUT = float(os.environ.get("ELASTICSEARCH_TIMEOUT", "1.0"))
ELASTICSEARCH_INDEX_TIMEOUT = float(os.environ.get("ELASTICSEARCH_INDEX_TIMEOUT", "30"))
# After this many failures in a row (timeouts, refused connections, 5xx answers), Elasticsearch is left alone for
# the cool-off (seconds): searches answer from the database at once, index updates wait (search.circuit).
ELASTICSEARCH_CIRCUIT_FAILURES = int(os.environ.get("ELASTICSEARCH_CIRCUIT_FAILURES", "3"))
ELASTICSEARCH_CIRCUIT_COOL_OFF = float(os.environ.get("ELASTICSEARCH_CIRCUIT_COOL_OFF", "30"))
# Wagtail's own background tasks, the database search backend's entries among them, run at once, in the transaction
# of the write that asks for them. Elasticsearch's index updates wait in a queue in the database
# (search.index_updates), which the index worker runs: `manage.py db_worker --backend search_index`.
TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "search_index": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}
if ELASTICSEARCH_URL:
    WAGTAILSEARCH_BACKENDS = {
        "default": {
            # Wagtail's elasticsearch9 backend, whose indexes are created with the thesaurus' synonyms.
            "BACKEND": "search.elasticsearch.Elasticsearch9SearchBackend",
            "URLS": [ELASTICSEARCH_URL],
            "INDEX_PREFIX": os.environ.get("ELASTICSEARCH_INDEX_PREFIX", "kb_"),
            "TIMEOUT": ELASTICSEARCH_INDEX_TIMEOUT,
            # The queue tries index updates again, after the circuit's cool-off; searches are never tried again.
            "OPTIONS": {"max_retries": 0},
            "INDEX_SETTINGS": ELASTICSEARCH_INDEX_SETTINGS,
        },
        "database": DATABASE_SEARCH_BACKEND,
    }
else:
    WAGTAILSEARCH_BACKENDS = {"default": DATABASE_SEARCH_BACKEND}

# Django's cache: Redis when REDIS_URL is set (one copy for every process and machine), otherwise each process's own
# memory. search.response_cache keeps the answers visitors share in it, and Wagtail the paths of its sites: Redis is
# then needed as the database is, and a Redis that hangs fails a request after these timeouts rather than holding it.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# How long browsers and proxies may reuse a public answer without asking again; after that they ask with its ETag and
# get a 304 while the search data has not changed. 0 makes them ask every time, so a publish is seen at once.
RESPONSE_CACHE_MAX_AGE = int(os.environ.get("RESPONSE_CACHE_MAX_AGE", "60"))
# How long the server keeps an answer. A publish gives the next request a new key at once: this only bounds how long
# an answer made by the code before a deploy can be served after it, and the memory old answers take.
RESPONSE_CACHE_TIMEOUT = int(os.environ.get("RESPONSE_CACHE_TIMEOUT", "300"))
# Each process counts visitors' searches in memory and writes the counts in one transaction (search.query_log) when
# the oldest is this many seconds old or they count this many queries, at exit, and before an editor reads the
# reports. A process killed outright loses at most these; 0 seconds writes every search at once.
SEARCH_COUNT_FLUSH_SECONDS = float(os.environ.get("SEARCH_COUNT_FLUSH_SECONDS", "10"))
SEARCH_COUNT_FLUSH_QUERIES = int(os.environ.get("SEARCH_COUNT_FLUSH_QUERIES", "100"))
