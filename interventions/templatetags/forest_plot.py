"""A forest plot of an intervention's outcomes, drawn on the server as SVG so that it needs no JavaScript."""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from interventions.vocabularies import EffectMetric

from .figures import RATIO_METRICS, effect, interval

register = template.Library()

LABEL_WIDTH, PLOT_WIDTH, VALUE_WIDTH, ROW_HEIGHT, TOP = 300, 280, 150, 26, 30


def shorten(text, length=48):
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def plot(metric, outcomes):
    # Ratios have no effect at 1, differences at 0.
    null = 1.0 if metric in RATIO_METRICS else 0.0
    points = [null] + [v for o in outcomes for v in (o.effect_value, o.ci_low, o.ci_high) if v is not None]
    low, high = min(points), max(points)
    margin = (high - low) * 0.08 or 1.0
    low, high = low - margin, high + margin

    def x(value):
        return LABEL_WIDTH + (value - low) / (high - low) * PLOT_WIDTH

    height = TOP + ROW_HEIGHT * len(outcomes) + 10
    width = LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH
    label = EffectMetric(metric).label
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="forest-plot" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" aria-label="{escape(label)}">',
        f"<title>{escape(label)}</title>",
        f'<text x="{LABEL_WIDTH}" y="16" font-size="12" font-weight="bold">{escape(label)}</text>',
        f'<line x1="{x(null):.1f}" y1="{TOP - 8}" x2="{x(null):.1f}" y2="{height - 4}" stroke="#777" '
        f'stroke-dasharray="4 3"/>',
    ]
    for row, outcome in enumerate(outcomes):
        y = TOP + ROW_HEIGHT * row + ROW_HEIGHT / 2
        colour = "#b71c1c" if outcome.direction == "undesirable" else "#0b5394"
        parts.append(f'<text x="0" y="{y + 4:.1f}" font-size="12">{escape(shorten(outcome.measure))}</text>')
        if outcome.ci_low is not None and outcome.ci_high is not None:
            parts.append(
                f'<line x1="{x(outcome.ci_low):.1f}" y1="{y:.1f}" x2="{x(outcome.ci_high):.1f}" y2="{y:.1f}" '
                f'stroke="{colour}" stroke-width="2"/>'
            )
        parts.append(
            f'<rect x="{x(outcome.effect_value) - 5:.1f}" y="{y - 5:.1f}" width="10" height="10" fill="{colour}"/>'
        )
        figures = f"{effect(outcome)} {interval(outcome)}".strip()
        parts.append(
            f'<text x="{LABEL_WIDTH + PLOT_WIDTH + 8}" y="{y + 4:.1f}" font-size="12">{escape(figures)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


@register.simple_tag
def forest_plots(page):
    """One plot for each effect-size metric the outcomes report (their scales are not comparable). Descriptive
    figures without a comparison (not-estimated) are no effects and are not drawn."""
    by_metric = {}
    for outcome in page.outcomes.all():
        if outcome.is_effect:
            by_metric.setdefault(outcome.effect_metric, []).append(outcome)
    return mark_safe("".join(plot(metric, outcomes) for metric, outcomes in by_metric.items()))  # noqa: S308
