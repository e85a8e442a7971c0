"""Numbers as people read them in each language: grouped thousands, the language's decimal mark, no needless
decimals, a true minus sign, ranges with an en dash. Every figure of the profile, the result cards, the comparison
and the brief goes through these filters."""

from django import template
from django.utils.formats import get_format, number_format
from django.utils.translation import gettext as _

from interventions.vocabularies import EffectMetric

register = template.Library()

MINUS = "\u2212"
# Ratios have no effect at 1 and no sign; differences have one.
RATIO_METRICS = {EffectMetric.ODDS_RATIO, EffectMetric.RISK_RATIO, EffectMetric.INCIDENCE_RATE_RATIO}


@register.filter
def number(value, decimals=2):
    """2383.0 -> "2,383" (es "2.383"); -2.5 -> "−2.5" (es "−2,5"); at most `decimals` decimals, none when whole."""
    if value is None or value == "":
        return ""
    rounded = round(float(value), int(decimals))
    places = len(f"{abs(rounded):.{int(decimals)}f}".rstrip("0").partition(".")[2])
    text = number_format(abs(rounded), decimal_pos=places, use_l10n=True, force_grouping=True)
    return f"{MINUS}{text}" if rounded < 0 else text


@register.filter
def signed(value):
    """A difference with its sign: "+19", "−44", "0"."""
    text = number(value)
    return f"+{text}" if value is not None and round(float(value), 2) > 0 else text


@register.filter
def effect_number(value, metric):
    """An effect size as a number of its metric: ratios bare, differences signed, percent changes with "%"."""
    if value is None:
        return ""
    if metric in RATIO_METRICS:
        return number(value)
    if metric == EffectMetric.PERCENT_CHANGE:
        return f"{signed(value)}%"
    return signed(value)


@register.filter
def effect(outcome):
    """The effect of an outcome: "−44%", "+3.5", "0.8"."""
    return effect_number(outcome.effect_value, outcome.effect_metric)


@register.filter
def interval(outcome):
    """The confidence interval of an outcome, "[−0.6, 1.1]" ("[−0,6; 1,1]" where the comma is the decimal mark);
    empty without both bounds."""
    if outcome.ci_low is None or outcome.ci_high is None:
        return ""
    separator = "; " if get_format("DECIMAL_SEPARATOR") == "," else ", "
    low, high = (effect_number(bound, outcome.effect_metric) for bound in (outcome.ci_low, outcome.ci_high))
    return f"[{low}{separator}{high}]"


@register.filter
def headline_figure(outcome):
    """The effect as a headline says it: "−44%", "+3.5 percentage points", "Cohen's d −0.25", "Risk ratio 0.8"."""
    if outcome.effect_metric == EffectMetric.PERCENT_CHANGE:
        return effect(outcome)
    if outcome.effect_metric == EffectMetric.PERCENTAGE_POINTS:
        return _("%(value)s percentage points") % {"value": effect(outcome)}
    return f"{EffectMetric(outcome.effect_metric).label} {effect(outcome)}"


@register.filter
def benefit_cost(record):
    """The benefit-cost ratio of anything with `bcr_low` and `bcr_high`: "5–30", "2.2"; empty without one."""
    if record.bcr_low is None:
        return ""
    if record.bcr_high is None or record.bcr_high == record.bcr_low:
        return number(record.bcr_low)
    return f"{number(record.bcr_low)}–{number(record.bcr_high)}"


@register.filter
def money(cost):
    """A cost of the headline (interventions.headline.Cost): "USD 2,383 (2022)"; empty without an amount."""
    if cost.amount is None:
        return ""
    return f"{cost.currency} {number(cost.amount)} ({cost.year})"
