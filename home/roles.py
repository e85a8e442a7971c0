"""Who may do what, as Wagtail groups, page permissions and a review workflow.

- Editors create and edit interventions (and extend the vocabularies and the search thesaurus) but cannot publish:
  their changes go to review.
- Reviewers approve and publish interventions.
- Editors and reviewers both triage the public's nominations.
- One working group per pillar edits and publishes that pillar's page, collections and knowledge products, and
  nothing else.

Permissions sit on pages (each language's interventions index, each pillar page), so `setup_roles` runs again after
a language or a pillar page is added. It is idempotent: it sets each role's permissions to exactly these.
"""

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from interventions.models import InterventionIndexPage, InterventionType, OutcomeDomain, Setting, TargetGroup
from pillars.models import PillarPage
from search.models import ThesaurusConcept

EDITORS = "Editors"
REVIEWERS = "Reviewers"
WORKING_GROUP_PREFIX = "Working group: "
REVIEW_WORKFLOW = "Intervention review"
REVIEW_TASK = "Reviewers approve"

EDIT = ["add_page", "change_page", "lock_page", "unlock_page"]
PUBLISH = [*EDIT, "publish_page"]
DOCUMENTS = ["add_document", "change_document", "choose_document"]
EXTENSIBLE_VOCABULARIES = [InterventionType, Setting, TargetGroup, OutcomeDomain, ThesaurusConcept]


def working_group_name(pillar):
    return f"{WORKING_GROUP_PREFIX}{pillar.labels[settings.LANGUAGE_CODE]}"


@transaction.atomic
def setup_roles():
    """Creates or updates the groups, their permissions and the review workflow; returns the groups by name."""
    indexes = list(InterventionIndexPage.objects.all())
    editors = role(EDITORS, pages={page: EDIT for page in indexes})
    editors.permissions.add(
        *(
            permission
            for model in EXTENSIBLE_VOCABULARIES
            for permission in permissions(model._meta.app_label, model_permissions(model, ["add", "change"]))
        ),
    )
    reviewers = role(REVIEWERS, pages={page: PUBLISH for page in indexes})
    # Both triage the public's nominations (nominations/); accepting one needs the page permissions above as well.
    for group in (editors, reviewers):
        group.permissions.add(*permissions("nominations", ["change_nomination", "delete_nomination"]))
    groups = {EDITORS: editors, REVIEWERS: reviewers}

    pillar_pages = PillarPage.objects.select_related("pillar")
    for pillar in {page.pillar for page in pillar_pages}:
        group = role(
            working_group_name(pillar),
            pages={page: PUBLISH for page in pillar_pages if page.pillar_id == pillar.pk},
            documents=DOCUMENTS,
        )
        groups[group.name] = group

    review_before_publishing(indexes, reviewers)
    return groups


def role(name, pages, documents=()):
    """The group, with access to the admin, these page permissions and these document permissions only."""
    group, _created = Group.objects.get_or_create(name=name)
    group.permissions.add(*permissions("wagtailadmin", ["access_admin"]))
    GroupPagePermission.objects.filter(group=group).delete()
    GroupPagePermission.objects.bulk_create(
        GroupPagePermission(group=group, page=page, permission=permission)
        for page, codenames in pages.items()
        for permission in permissions("wagtailcore", codenames)
    )
    GroupCollectionPermission.objects.filter(group=group).delete()
    GroupCollectionPermission.objects.bulk_create(
        GroupCollectionPermission(group=group, collection=Collection.get_first_root_node(), permission=permission)
        for permission in permissions("wagtaildocs", documents)
    )
    return group


def review_before_publishing(indexes, reviewers):
    """Every change to an intervention goes through the reviewers, whoever makes it (those who may publish can
    still publish directly)."""
    task = GroupApprovalTask.objects.filter(name=REVIEW_TASK).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=REVIEW_TASK)
    task.groups.set([reviewers])
    workflow, _created = Workflow.objects.get_or_create(name=REVIEW_WORKFLOW)
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    for index in indexes:
        WorkflowPage.objects.update_or_create(page=index, defaults={"workflow": workflow})


def permissions(app_label, codenames):
    return list(Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames))


def model_permissions(model, actions):
    return [f"{action}_{model._meta.model_name}" for action in actions]
