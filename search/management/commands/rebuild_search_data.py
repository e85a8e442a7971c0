from django.core.management.base import BaseCommand

from search.rebuild import rebuild_search_data


class Command(BaseCommand):
    help = (
        "Rebuild what the search derives from the pages it finds (facet rows, visible pages, document versions) in one "
        "transaction, and give the search data a new version so that every running process reloads it. Safe to run "
        "at any time, and again. Wagtail's search index entries are rebuilt by update_index."
    )

    def handle(self, **options):
        for line in rebuild_search_data().lines():
            self.stdout.write(line)
