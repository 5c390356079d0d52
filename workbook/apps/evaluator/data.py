"""What the evaluator's page reads from the store, once when it opens and per selection: the long scores
frame, the cohorts, the disclosure plan, the reaction ratings and the conversation counts, each hidden
as the plan says. Imports of pandas, scipy and SQLAlchemy happen inside the functions (the worker thread).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from workbook.evaluation.format import CHART_TITLES

if TYPE_CHECKING:
    from workbook.evaluation.result import EvaluationResult

NO_COHORT = ""  # the cohort value of participants who are in none
NO_COHORT_LABEL = "(no cohort)"

# The fixed programme phases (which wave is "before"); the same keys as workbook.evaluation.stats.PHASES,
# written here so that the page can be built before the statistics are imported.
PHASE_OPTIONS: dict[str, str] = {
    "pre": "Before and after (pre-test → post-test)",
    "then": "Looking back and after ('then' → post-test)",
}
# The phases in a file name: which waves are compared.
PHASE_FILE_PARTS: dict[str, str] = {"pre": "pre-post", "then": "then-post"}
FILE_COHORTS_MAX = 60  # characters of cohort names in a file name; more cohorts are counted instead
BEHAVIOUR_KEYS = ("conversations", "managers_with_conversation", "idps_started", "follow_ups_planned")


@dataclass
class Selection:
    cohorts: tuple[str, ...] | None  # None: every cohort
    phase: str = "pre"

    def describe(self) -> str:
        cohorts = (
            "all cohorts"
            if self.cohorts is None
            else "cohort " + ", ".join(NO_COHORT_LABEL if c == NO_COHORT else c for c in self.cohorts)
        )
        return f"Selection: {cohorts}, {PHASE_OPTIONS[self.phase][0].lower()}{PHASE_OPTIONS[self.phase][1:]}"

    def file_part(self) -> str:
        """The selection in a file name: its cohorts (or "all-cohorts") and its phase, e.g.
        "spring-2025-pre-post"; safe on every system whatever a cohort is called."""
        from workbook.text import slugify

        if self.cohorts is None:
            cohorts = "all-cohorts"
        else:
            slugs = [
                slugify(NO_COHORT_LABEL if c == NO_COHORT else c, max_length=30, default=f"cohort-{k + 1}")
                for k, c in enumerate(self.cohorts)
            ]
            cohorts = "+".join(slugs)
            if len(cohorts) > FILE_COHORTS_MAX:
                cohorts = f"{slugs[0]}+{len(slugs) - 1}-more-cohorts"
        return f"{cohorts}-{PHASE_FILE_PARTS[self.phase]}"


@dataclass
class Loaded:
    """What is read from the store once, when the app opens."""

    frame: Any  # the long scores frame
    cohorts: list[str]
    threshold: int
    scale_min: int
    scale_max: int
    item_order: tuple[str, ...]
    item_labels: dict[str, str]
    reaction_wording: dict[str, str]
    scope: Any  # the CohortScope: which cohorts count (the synthetic demo cohorts only when they do)
    groups: tuple[str, ...]  # every cohort that counts, NO_COHORT first: "everyone" of this page
    tables: Any  # ScoreTables of everyone who counts
    plan: Any  # the DisclosurePlan of every figure this page can show, for every selection

    def label(self, cohorts: tuple[str, ...] | None) -> str | None:
        """What an output of these cohorts says of synthetic demo data (None: it holds none)."""
        return self.scope.label_for(cohorts)

    def everyone(self, cohorts: tuple[str, ...] | None) -> tuple[str, ...] | None:
        """A selection as the store's readers take it: None (everyone) only when nobody is left out."""
        if cohorts is None and self.scope.left_out:
            return self.groups
        return cohorts


@dataclass
class Computed:
    """Everything shown for one selection (aggregated, suppressed) plus what the downloads need."""

    generation: int
    selection: Selection
    result: EvaluationResult  # items by id
    shown: EvaluationResult  # the same with items by short label
    pairs: Any
    distribution: Any
    invited: int | None
    reaction: dict[str, Any]
    behaviour: dict[str, Any]
    refused: str | None  # why the selection is not shown, when it would let a small group be worked out
    label: str | None  # what its outputs say of synthetic demo data in it ("includes synthetic demo data")
    headline: str
    table: str
    reaction_table: str
    behaviour_table: str
    figures: dict[str, Any] = field(default_factory=dict)
    pngs: dict[str, bytes] = field(default_factory=dict)

    def hidden_charts(self) -> dict[str, str]:
        """Why each chart whose figure is hidden draws no data, by chart name: the result's decisions
        and the conversation counts'. The page shows such a chart's placeholder; no file is made of it."""
        from workbook.apps.evaluator.describe import behaviour_hidden

        hidden = self.shown.hidden_charts()
        if "behaviour" in self.chart_names() and (why := behaviour_hidden(self.behaviour)):
            hidden["behaviour"] = why
        return hidden

    def chart_names(self) -> list[str]:
        """The charts this selection shows, in page order."""
        if self.refused:
            return []
        names = ["flow", "slope", "change", "baseline", "cohorts"]
        if self.shown.items:
            names += ["items", "answers"]
        if self.shown.scale.response_shift is not None:
            names.append("response_shift")
        if self.reaction["respondents"] > 0:
            names.append("reaction")
        if self.behaviour["conversations"] > 0:
            names.append("behaviour")
        return [name for name in CHART_TITLES if name in names]


def load(store: Any, *, include_demo: bool = False) -> Loaded:
    """Read the scores of the cohorts that count once and plan what every selection may show; the
    synthetic demo cohorts count when ``include_demo`` or when the store holds nothing real."""
    from workbook.config import anonymity_threshold
    from workbook.evaluation.stats import score_tables
    from workbook.manager.content import instrument
    from workbook.manager.scores import counted_scores

    threshold = anonymity_threshold()
    frame, scope = counted_scores(store, include_demo=include_demo)
    inst = instrument()
    cohorts = sorted(set(frame["cohort"]), key=lambda c: (c == NO_COHORT, c))
    groups = (NO_COHORT, *(c for c in _cohort_names(store) if scope.counts(c)))
    tables = score_tables(frame, item_order=inst.item_ids)
    return Loaded(
        frame=frame,
        cohorts=cohorts,
        threshold=threshold,
        scale_min=inst.scale.min,
        scale_max=inst.scale.max,
        item_order=inst.item_ids,
        item_labels={item.id: item.short for item in inst.items},
        reaction_wording={q.id: q.wording for q in inst.reaction.questions},
        scope=scope,
        groups=groups,
        tables=tables,
        plan=disclosure_plan(store, tables, threshold, groups=groups),
    )


def _cohort_names(store: Any) -> list[str]:
    from sqlalchemy import select

    from workbook.models import Cohort

    with store.read() as session:
        return list(session.scalars(select(Cohort.name).order_by(Cohort.name)))


def disclosure_plan(store: Any, tables: Any, threshold: int, *, groups: tuple[str, ...] | None = None) -> Any:
    """The disclosure plan of everything the page can show: the scores in both phases, the reaction
    ratings and the conversation counts, for everyone who counts and per cohort (``groups``: the
    cohorts that count, NO_COHORT included; None: every cohort of the store)."""
    from workbook.evaluation.disclosure import ALL, Figure
    from workbook.evaluation.stats import PHASES, scores_plan
    from workbook.manager.content import REACTION_IDS
    from workbook.manager.reaction_summary import reaction_summary

    every_cohort = list(groups) if groups is not None else [NO_COHORT, *_cohort_names(store)]
    per_cohort = {c: reaction_summary(store, [c], threshold=threshold) for c in every_cohort}
    extra = [
        Figure(
            f"reaction:{question}",
            frozenset({f"reaction:{question}"}),
            counts={c: summary["questions"][question]["n"] for c, summary in per_cohort.items()},
        )
        for question in REACTION_IDS
    ]
    behaviour = {c: behaviour_counts(store, (c,))["managers_with_conversation"] for c in every_cohort}
    everyone = None if groups is None else tuple(every_cohort)
    behaviour[ALL] = behaviour_counts(store, everyone)["managers_with_conversation"]
    extra.append(Figure("behaviour", frozenset({"behaviour"}), counts=behaviour))
    return scores_plan(tables, threshold, phases=tuple(PHASES), extra=extra, groups=every_cohort)


def invited(store: Any, loaded: Loaded, cohorts: tuple[str, ...] | None) -> int | None:
    """Participants in the chosen (named) cohorts: the 'invited' stage of the flow."""
    from sqlalchemy import func, select

    from workbook.models import Cohort, Participant

    names = [c for c in (cohorts if cohorts is not None else loaded.cohorts) if c != NO_COHORT]
    if (cohorts is not None and NO_COHORT in cohorts) or not names:
        return None
    with store.read() as session:
        return int(
            session.scalar(
                select(func.count(Participant.id))
                .join(Cohort, Participant.cohort_id == Cohort.id)
                .where(Cohort.name.in_(names))
            )
        )


def behaviour_counts(store: Any, cohorts: tuple[str, ...] | None) -> dict[str, int]:
    """Conversation counts of the chosen cohorts ("" = managers without one; None = everyone)."""
    from workbook.manager.behaviour import behaviour_counts as counts

    if cohorts is None:
        return counts(store)
    parts = [counts(store, c) for c in cohorts if c != NO_COHORT]
    if NO_COHORT in cohorts:
        everyone = counts(store)
        named = [counts(store, c) for c in _cohort_names(store)]
        parts.append({k: everyone[k] - sum(p[k] for p in named) for k in everyone})
    return {k: sum(p[k] for p in parts) for k in BEHAVIOUR_KEYS}


def behaviour_of(store: Any, loaded: Loaded, cohorts: tuple[str, ...] | None) -> dict[str, Any]:
    """The conversation counts of a selection, hidden as the disclosure plan says."""
    from workbook.evaluation.disclosure import mark

    totals = behaviour_counts(store, loaded.everyone(cohorts))
    hidden = loaded.plan.for_selection("behaviour", cohorts, totals["managers_with_conversation"])
    return mark(
        {**totals, "threshold": loaded.threshold},
        hidden,
        keep=("conversations", "managers_with_conversation", "threshold"),
    )


def reaction_of(store: Any, loaded: Loaded, cohorts: tuple[str, ...] | None) -> dict[str, Any]:
    """The reaction ratings of a selection, each question hidden as the disclosure plan says."""
    from workbook.evaluation.disclosure import mark, too_few
    from workbook.manager.reaction_summary import reaction_summary

    summary = reaction_summary(store, loaded.everyone(cohorts), threshold=loaded.threshold)
    for key, block in summary["questions"].items():
        hidden = loaded.plan.for_selection(f"reaction:{key}", cohorts, block["n"])
        summary["questions"][key] = mark(block, hidden)
    summary["suppressed"] = too_few(summary["respondents"], loaded.threshold) is not None
    return summary
