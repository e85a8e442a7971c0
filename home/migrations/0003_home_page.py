"""The site's home page, as Wagtail's project template makes it: it replaces the "Welcome" placeholder that
wagtailcore's first migration leaves as the site root, so that every migrated site has a home page for the other
apps' pages to go under (they find it as the default site's root page and never import this app)."""

from django.conf import settings
from django.db import migrations

TITLE = "What works in citizen security"
STEPLEN = 4  # treebeard's materialised path: four base-36 digits per level
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def child_path(parent_path, position):
    digits = ""
    for _ in range(STEPLEN):
        position, digit = divmod(position, len(ALPHABET))
        digits = ALPHABET[digit] + digits
    return parent_path + digits


def create_home_page(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Locale = apps.get_model("wagtailcore", "Locale")
    Page = apps.get_model("wagtailcore", "Page")
    Site = apps.get_model("wagtailcore", "Site")
    HomePage = apps.get_model("home", "HomePage")
    if HomePage.objects.exists():
        return
    root = Page.objects.filter(depth=1).order_by("path").first()
    if root is None:
        return
    page_type = ContentType.objects.get(app_label="wagtailcore", model="page")
    placeholders = Page.objects.filter(depth=2, content_type=page_type, slug="home", numchild=0)
    locale = placeholders.values_list("locale", flat=True).first()
    placeholders.delete()
    if locale is None:
        language = settings.LANGUAGE_CODE.split("-")[0]
        locale = Locale.objects.filter(language_code=language).values_list("pk", flat=True).first()
    siblings = Page.objects.filter(depth=2, path__startswith=root.path).order_by("-path")
    last = siblings.values_list("path", flat=True).first()
    position = int(last[-STEPLEN:], len(ALPHABET)) + 1 if last else 1
    home = HomePage.objects.create(
        title=TITLE,
        draft_title=TITLE,
        slug="home",
        content_type=ContentType.objects.get_or_create(app_label="home", model="homepage")[0],
        path=child_path(root.path, position),
        depth=2,
        numchild=0,
        url_path="/home/",
        locale_id=locale,
        live=True,
    )
    Page.objects.filter(pk=root.pk).update(numchild=siblings.count())
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", port=80, root_page_id=home.pk, is_default_site=True, site_name=TITLE)
    else:
        site.root_page_id = home.pk
        site.save()


class Migration(migrations.Migration):
    dependencies = [("home", "0002_content_locales"), ("contenttypes", "0002_remove_content_type_name")]

    operations = [migrations.RunPython(create_home_page, migrations.RunPython.noop)]
