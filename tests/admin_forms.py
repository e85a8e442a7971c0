"""The Wagtail admin's page editor as a browser would use it."""

from bs4 import BeautifulSoup
from django.urls import reverse


def form_values(html):
    """What a browser would submit from the page editor form, as it stands."""
    form = BeautifulSoup(html, "html.parser").find("form", id="page-edit-form")
    values = {}
    for field in form.find_all(["input", "textarea", "select"]):
        name = field.get("name")
        if not name or field.get("type") in ("submit", "button", "file"):
            continue
        if field.name == "textarea":
            values[name] = field.text
        elif field.name == "select":
            selected = [option.get("value", option.text) for option in field.find_all("option", selected=True)]
            values[name] = selected if field.has_attr("multiple") else (selected[0] if selected else "")
        elif field.get("type") in ("checkbox", "radio"):
            if field.has_attr("checked"):
                values.setdefault(name, []).append(field.get("value", "on"))
        else:
            values[name] = field.get("value", "")
    return values


def edit_url(page):
    return reverse("wagtailadmin_pages:edit", args=[page.pk])
