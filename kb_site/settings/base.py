"""Settings shared by every environment. Everything that differs between machines comes from the environment."""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent

INSTALLED_APPS = [
    "home",
    "interventions",
    "pillars",
    "search",
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
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "kb_site.urls"

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
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATIC_ROOT = BASE_DIR / "static"
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
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://localhost:8000")
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "xlsx"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 20 * 1024 * 1024

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
# The most interventions one export file (/search/export.csv, .json) holds; larger results are downloaded in parts
# (`offset`), so that no download holds a worker for long: at 10,000 the JSON takes about 19 s (README, Exports).
SEARCH_EXPORT_MAX_RECORDS = int(os.environ.get("SEARCH_EXPORT_MAX_RECORDS", "10000"))
# A search text index (search.snapshot) that took longer than this to build is rebuilt in the background after a
# change, while searches go on with the one before: a few seconds at ten thousand records, which no visitor should
# wait for. What a visitor may see stays current all the same (visible pages and facets come from the snapshot,
# rebuilt at once): only the words and meaning of the pages written meanwhile are matched a little late.
SEARCH_TEXT_INDEX_SYNCHRONOUS_SECONDS = float(os.environ.get("SEARCH_TEXT_INDEX_SYNCHRONOUS_SECONDS", "1.0"))
ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "")
if ELASTICSEARCH_URL:
    WAGTAILSEARCH_BACKENDS = {
        "default": {
            # Wagtail's elasticsearch9 backend, whose indexes are created with the thesaurus' synonyms.
            "BACKEND": "search.elasticsearch.Elasticsearch9SearchBackend",
            "URLS": [ELASTICSEARCH_URL],
            "INDEX_PREFIX": os.environ.get("ELASTICSEARCH_INDEX_PREFIX", "kb_"),
            "TIMEOUT": 5,
            "OPTIONS": {"max_retries": 0},
            "INDEX_SETTINGS": ELASTICSEARCH_INDEX_SETTINGS,
        },
        "database": DATABASE_SEARCH_BACKEND,
    }
else:
    WAGTAILSEARCH_BACKENDS = {"default": DATABASE_SEARCH_BACKEND}
