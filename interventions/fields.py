"""Model fields for lists of strings, stored as JSON so that the interchange format round-trips exactly, and for the
site's languages."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries import countries


class LinesFormField(forms.CharField):
    """Edits a list of strings as a textarea with one item per line."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value):
        if isinstance(value, list):
            return value
        return [line.strip() for line in (value or "").splitlines() if line.strip()]

    def validate(self, value):
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")


class StringListField(models.JSONField):
    """An ordered list of short strings: names, places, tags."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):
        return LinesFormField(
            label=self.verbose_name.capitalize(),
            help_text=self.help_text or _("One per line."),
            required=not self.blank,
        )

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ValidationError(_("Enter a list of texts."), code="invalid")


class ChoiceListField(StringListField):
    """A list of values from a fixed set, edited as checkboxes (or a multiple select for long sets)."""

    def __init__(self, *args, item_choices=(), **kwargs):
        self.item_choices = item_choices
        super().__init__(*args, **kwargs)

    def get_item_choices(self):
        return list(self.item_choices)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["item_choices"] = self.item_choices
        return name, path, args, kwargs

    def formfield(self, **kwargs):
        return forms.MultipleChoiceField(
            label=self.verbose_name.capitalize(),
            help_text=self.help_text,
            required=not self.blank,
            choices=self.get_item_choices(),
            widget=forms.CheckboxSelectMultiple,
        )

    def allowed_values(self):
        return {choice for choice, _label in self.get_item_choices()}

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        allowed = self.allowed_values()
        unknown = [item for item in value if item not in allowed]
        if unknown:
            raise ValidationError(
                _("Unknown value(s): %(values)s."), code="invalid_choice", params={"values": ", ".join(unknown)}
            )


class CountryListField(ChoiceListField):
    """ISO 3166-1 alpha-2 codes, shown by their name in the visitor's language."""

    def get_item_choices(self):
        return list(countries)

    def allowed_values(self):
        # The codes, looked up as they are: the choices would first sort every country by its translated name.
        return countries

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        del kwargs["item_choices"]
        return name, path, args, kwargs

    def formfield(self, **kwargs):
        field = super().formfield(**kwargs)
        field.widget = forms.SelectMultiple(attrs={"size": 8})
        return field


def country_names(codes):
    return [countries.name(code) or code for code in codes]


class LanguageField(models.CharField):
    """One of the site's languages (settings.LANGUAGES). The choices follow the settings and stay out of migrations,
    so that adding a language to the settings needs no migration."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 8)
        kwargs["choices"] = settings.LANGUAGES
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        del kwargs["choices"]
        return name, path, args, kwargs
