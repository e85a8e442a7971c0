"""A forest plot of an intervention's outcomes, one for each effect metric, drawn on the server so that it needs no
JavaScript. Its rows are HTML, so that the full outcome labels wrap (above the strip on a phone, in a column on a wider
screen); each row's strip is inline SVG in percentage coordinates, which stretches in width without scaling any text;
a shared axis with round ticks in the visitor's number format closes each plot."""

import math
from dataclasses import dataclass
from typing import NamedTuple

from django import template

from interventions.vocabularies import Direction, EffectMetric

from .figures import RATIO_METRICS, effect, effect_number, interval

register = template.Library()

# The part of a strip's width that the axis spans, in percent: the rest is room for the outer ticks' labels.
AXIS_START, AXIS_END = 5.0, 95.0
# The mark of each direction: colour says it at a glance, the shape and the words beside it say it without colour.
MARKS = {Direction.DESIRABLE: "circle", Direction.UNDESIRABLE: "square"}
NEUTRAL_MARK = "diamond"


class Tick(NamedTuple):
    x: str  # "37.50%", as the SVG attribute takes it whatever the visitor's decimal mark
    label: str


class Row(NamedTuple):
    outcome: object
    x: str  # the point estimate
    ci_low: str  # the confidence interval, "" without both bounds
    ci_high: str
    figures: str  # "0.8 [0.6, 1.1]"
    mark: str  # circle, square or diamond; also the class that colours it

    @property
    def has_interval(self):
        return bool(self.ci_low)


@dataclass
class ForestPlot:
    metric: str
    title: str  # the metric's name, the axis title
    no_effect: str  # where the dashed line of no effect is: 1 for ratios, 0 for differences
    ticks: list
    rows: list


def nice_ticks(low, high, most_intervals=4):
    """Round values from at or below `low` to at or above `high`, at a step of 1, 2 or 5 times a power of ten that
    divides the span into about `most_intervals`: 0.6 to 1.1 gives 0.6, 0.8, 1, 1.2."""
    if high == low:  # a single value (an estimate of no effect without interval): one unit either side
        low, high = low - 1, high + 1
    rough_step = (high - low) / most_intervals
    magnitude = 10 ** math.floor(math.log10(rough_step))
    # Figures are written with at most two decimals (figures.number): no finer step than 0.01.
    step = max(next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= rough_step * (1 - 1e-9)), 0.01)
    first, last = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
    return [round(i * step, 10) for i in range(first, last + 1)]


def forest_plot(metric, outcomes):
    no_effect = 1.0 if metric in RATIO_METRICS else 0.0
    values = [no_effect] + [v for o in outcomes for v in (o.effect_value, o.ci_low, o.ci_high) if v is not None]
    ticks = nice_ticks(min(values), max(values))
    low, high = ticks[0], ticks[-1]

    def x(value):
        return f"{AXIS_START + (value - low) / (high - low) * (AXIS_END - AXIS_START):.2f}%"

    rows = []
    for outcome in outcomes:
        both_bounds = outcome.ci_low is not None and outcome.ci_high is not None
        rows.append(
            Row(
                outcome=outcome,
                x=x(outcome.effect_value),
                ci_low=x(outcome.ci_low) if both_bounds else "",
                ci_high=x(outcome.ci_high) if both_bounds else "",
                figures=f"{effect(outcome)} {interval(outcome)}".strip(),
                mark=MARKS.get(outcome.direction, NEUTRAL_MARK),
            )
        )
    return ForestPlot(
        metric=metric,
        title=EffectMetric(metric).label,
        no_effect=x(no_effect),
        ticks=[Tick(x(value), effect_number(value, metric)) for value in ticks],
        rows=rows,
    )


@register.simple_tag
def forest_plots(page):
    """One plot for each effect-size metric the outcomes report (their scales are not comparable). Descriptive
    figures without a comparison (not-estimated) are no effects and are not drawn."""
    by_metric = {}
    for outcome in page.outcomes.all():
        if outcome.is_effect:
            by_metric.setdefault(outcome.effect_metric, []).append(outcome)
    return [forest_plot(metric, outcomes) for metric, outcomes in by_metric.items()]


@register.simple_tag
def forest_marks():
    """The marks of the plots' legend: each estimated direction with its shape."""
    return [
        (MARKS.get(direction, NEUTRAL_MARK), direction.label)
        for direction in Direction
        if direction != Direction.NOT_ESTIMATED
    ]
