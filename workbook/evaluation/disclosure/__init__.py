"""Disclosure control: the one place that decides which figures an evaluator may see, and says why.

Every view of the scores (the evaluator app, ``workbook evaluate``, every download, and the views later
added for facilitators or a room) publishes figures of groups of people: everyone, a cohort, the
participants who answered an item, the ones who answered the retrospective 'then' wave. A figure
is a sum in disguise (a mean times its n), so two published figures of nested groups give the
figure of their difference. The rules, applied to the whole data once (a :class:`DisclosurePlan`):

1. Too few people: a group with fewer matched participants than the threshold shows its count only.
2. Complementary suppression, repeated: when the total of a table is shown, the hidden cells of that
   table together (everyone minus the shown cohorts, people without a cohort included) must hold no
   one or at least the threshold; otherwise the smallest shown cell is hidden too, and again, until
   they do.
3. Overlap: two shown figures that reveal the same quantity (for example the post score of those who
   answered pre and post, and of those who answered 'then' and post) must not differ by 1 to
   threshold - 1 people; otherwise the later one (by :data:`MEASURE_ORDER`) is hidden.
4. Selections are unions of whole cohorts that are shown (:meth:`DisclosurePlan.refusal` refuses
   the others, naming the cohort and why): any two such selections differ by whole shown cohorts,
   and a figure of a selection is shown only when every cohort in it shows that figure.

Hidden figures carry a :class:`Hidden` with the reason, written out by :func:`hidden_text`.

A live chart (the facilitator's room view) follows its own rule, in :mod:`.live` (re-exported here): no
two states it can ever show of one question differ by fewer than the threshold of people, whatever
happens to membership, roles and answers between two reads.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from workbook.config import check_threshold
from workbook.evaluation.disclosure.live import (
    LiveChart,
    LiveRelease,
    LiveStep,
    Tally,
    comparable,
    live_chart,
    live_step,
    people_apart,
)

ALL = None  # the group of everyone in a plan's tables (cohort names are text, so None cannot clash)
NO_COHORT = ""  # the cohort of participants who are in none


class Reason(enum.StrEnum):
    """Why a figure is hidden."""

    TOO_FEW = "too_few"
    SECONDARY = "secondary"


@dataclass(frozen=True)
class Hidden:
    """A figure that is not shown: its group's size, the threshold and the reason."""

    reason: Reason
    n: int
    threshold: int

    @property
    def text(self) -> str:
        return hidden_text(self.reason, self.n, self.threshold)


def hidden_text(reason: Reason | str, n: int, threshold: int) -> str:
    """The words every page, file and chart uses for a hidden figure."""
    if Reason(reason) is Reason.TOO_FEW:
        return f"hidden: too few people (n = {n}, fewer than {threshold})"
    return f"hidden so that a smaller group cannot be worked out (n = {n})"


def too_few(n: int, threshold: int) -> Hidden | None:
    """Rule 1 for one group on its own: hidden when it holds fewer people than the threshold."""
    return Hidden(Reason.TOO_FEW, int(n), threshold) if n < threshold else None


def mark(block: dict[str, Any], hidden: Hidden | None, keep: Iterable[str] = ("n",)) -> dict[str, Any]:
    """A figure block with every value but ``keep`` emptied when hidden; adds ``suppressed`` and the
    reason (``hidden_because`` code and ``hidden_text``), both None when shown."""
    out = dict(block)
    if hidden is not None:
        kept = set(keep)
        for key in out:
            if key not in kept:
                out[key] = None
    out["suppressed"] = hidden is not None
    out["hidden_because"] = None if hidden is None else str(hidden.reason)
    out["hidden_text"] = None if hidden is None else hidden.text
    return out


# --------------------------------------------------------------------------------------------------
# Tables of cells


@dataclass(frozen=True)
class Cell:
    """One figure of one group: how many people it rests on and whether it is shown."""

    measure: str
    group: str | None  # a cohort, or ALL
    n: int
    hidden: Hidden | None = None

    @property
    def shown(self) -> bool:
        return self.hidden is None


def suppress_table(
    counts: Mapping[str, int], threshold: int, *, total_shown: bool = True, hidden: Mapping[str, Hidden] = {}
) -> dict[str, Hidden | None]:
    """Rules 1 and 2 for one table (cells = disjoint groups, plus their total): the decision per cell.

    ``hidden`` holds cells already hidden for another reason. Complementary suppression hides the
    smallest shown cell until the hidden cells hold 0 or at least ``threshold`` people; it is not needed
    when the total is not shown.
    """
    decisions: dict[str, Hidden | None] = {
        name: hidden.get(name) or (too_few(n, threshold) if n > 0 else None) for name, n in counts.items()
    }
    if not total_shown:
        return decisions
    while True:
        remainder = sum(counts[name] for name, h in decisions.items() if h is not None)
        if remainder == 0 or remainder >= threshold:
            return decisions
        shown = [name for name, h in decisions.items() if h is None and counts[name] > 0]
        if not shown:
            return decisions
        smallest = min(shown, key=lambda name: (counts[name], name))
        decisions[smallest] = Hidden(Reason.SECONDARY, int(counts[smallest]), threshold)


def remainder_ok(n: int, threshold: int) -> bool:
    """A difference between two shown figures is safe when it is no one or at least the threshold."""
    return n == 0 or n >= threshold


# --------------------------------------------------------------------------------------------------
# The plan


@dataclass(frozen=True)
class Figure:
    """A kind of figure published for every group: its name, the quantities it reveals (e.g.
    ``"scale@post"``) and, per participant, whether they count in it (None: counts only, no overlap)."""

    measure: str
    quantities: frozenset[str]
    members: np.ndarray | None = None  # bool per participant
    counts: Mapping[str, int] | None = None  # per group, when members is None


@dataclass(frozen=True)
class Refusal:
    """A selection that cannot be shown: the cohorts that make it unsafe, and the message for the page."""

    cohorts: tuple[str, ...]
    message: str


@dataclass(frozen=True)
class DisclosurePlan:
    """Which figure of which group may be shown, decided once for the whole data of a view."""

    threshold: int
    groups: tuple[str, ...]  # every cohort, NO_COHORT included when someone has none
    cells: Mapping[tuple[str, str | None], Cell] = field(repr=False)

    def cell(self, measure: str, group: str | None = ALL) -> Cell | None:
        return self.cells.get((measure, group))

    def hidden(self, measure: str, group: str | None = ALL) -> Hidden | None:
        """The decision for a measure of one group of the plan (None = shown, or not in the plan)."""
        cell = self.cells.get((measure, group))
        return None if cell is None else cell.hidden

    def for_selection(self, measure: str, cohorts: Sequence[str] | None, n: int) -> Hidden | None:
        """The decision for a figure of the union of ``cohorts`` (None: everyone) resting on ``n`` people.

        Everyone: the plan's own decision. A union of cohorts: too few people, or hidden because one of
        its cohorts hides this figure (its value would follow from this one and the others).
        """
        if cohorts is None:
            cell = self.cells.get((measure, ALL))
            return cell.hidden if cell is not None else too_few(n, self.threshold)
        primary = too_few(n, self.threshold)
        if primary is not None:
            return primary
        for cohort in cohorts:
            cell = self.cells.get((measure, cohort))
            if cell is not None and cell.n > 0 and not cell.shown:
                return Hidden(Reason.SECONDARY, int(n), self.threshold)
        return None

    def selectable(self, measure: str = "scale") -> tuple[str, ...]:
        """The cohorts a selection may be built from: those whose ``measure`` is shown (or empty)."""
        return tuple(
            c
            for c in self.groups
            if (cell := self.cells.get((measure, c))) is None or cell.shown or cell.n == 0
        )

    def refusal(
        self, cohorts: Sequence[str] | None, measure: str = "scale", *, label: Mapping[str, str] = {}
    ) -> Refusal | None:
        """None when the selection is safe; otherwise why not, naming each cohort that makes it unsafe.

        A cohort whose figures are hidden cannot be chosen: the selection with it and the same one
        without it differ by that cohort alone (or, for a cohort hidden by rule 2, the remainder that
        rule protects would follow).
        """
        if cohorts is None or set(cohorts) >= set(self.groups):
            return None
        bad = [
            c
            for c in cohorts
            if (cell := self.cells.get((measure, c))) is not None and cell.n and not cell.shown
        ]
        if not bad:
            return None
        parts = []
        for cohort in bad:
            cell = self.cells[(measure, cohort)]
            assert cell.hidden is not None
            name = label.get(cohort, cohort)
            if cell.hidden.reason is Reason.TOO_FEW:
                parts.append(
                    f"cohort {name} has too few people (n = {cell.n}, fewer than {self.threshold}): a "
                    f"selection with it would differ from the same selection without it by {cell.n} "
                    f"{'person' if cell.n == 1 else 'people'}"
                )
            else:
                parts.append(
                    f"cohort {name} is hidden so that a smaller group cannot be worked out: with it, the "
                    "figures of everyone minus the shown cohorts would describe fewer than "
                    f"{self.threshold} people"
                )
        message = (
            "This selection cannot be shown: "
            + "; ".join(parts)
            + ". Choose only cohorts whose figures are shown, or all cohorts."
        )
        return Refusal(tuple(bad), message)


def _safe(pair: tuple[int, int], threshold: int) -> bool:
    return remainder_ok(pair[0], threshold) and remainder_ok(pair[1], threshold)


def _clashes_with_cohorts(
    key: tuple[str, None], other: str, kept: np.ndarray, counts: Mapping, arrays: Mapping, threshold: int
) -> bool:
    """Whether everyone's figure ``key`` differs by 1 to threshold - 1 people from a kept cohort cell of
    figure ``other`` (all cohorts at once)."""
    measure = key[0]
    other_only = (
        np.zeros_like(arrays["counts"][other]) if measure == other else arrays["only_in"][(other, measure)]
    )
    first = counts[measure][ALL] - (arrays["counts"][other] - other_only)
    bad = ((first > 0) & (first < threshold)) | ((other_only > 0) & (other_only < threshold))
    return bool((bad & kept).any())


def build_plan(
    threshold: int,
    group_of: Sequence[str] | np.ndarray,
    figures: Sequence[Figure],
    *,
    groups: Iterable[str] = (),
) -> DisclosurePlan:
    """Apply rules 1 to 3 to every figure of every group (and of everyone) until nothing changes.

    ``group_of`` is each participant's cohort (NO_COHORT for none), ``figures`` in priority order
    (earlier figures are kept when two overlap). Figures with ``counts`` instead of ``members`` get
    rules 1 and 2 only.
    """
    threshold = check_threshold(threshold)
    group_of = np.asarray(group_of, dtype=object)
    names = tuple(sorted(set(group_of.tolist()) | set(groups), key=lambda c: (c == NO_COHORT, c)))
    code_of = {g: k for k, g in enumerate(names)}
    codes = np.array([code_of[g] for g in group_of.tolist()], dtype=np.int64)
    n_groups = len(names)

    def per_group(mask: np.ndarray) -> np.ndarray:
        return np.bincount(codes[mask], minlength=n_groups)

    counts: dict[str, dict[str | None, int]] = {}
    members: dict[str, np.ndarray] = {}
    for figure in figures:
        per: dict[str | None, int] = {}
        if figure.members is not None:
            members[figure.measure] = np.asarray(figure.members, dtype=bool)
            by_group = per_group(members[figure.measure]).tolist()
            per = dict(zip(names, by_group, strict=True))
            per[ALL] = int(np.count_nonzero(members[figure.measure]))
        else:
            given = dict(figure.counts or {})
            per = {g: int(given.get(g, 0)) for g in names}
            per[ALL] = int(given.get(ALL, sum(per[g] for g in names)))
        counts[figure.measure] = per

    hidden: dict[tuple[str, str | None], Hidden] = {}
    for figure in figures:
        if (h := too_few(counts[figure.measure][ALL], threshold)) is not None:
            hidden[(figure.measure, ALL)] = h

    # rule 3 compares figures that reveal the same quantity, earlier ones first; "only_in[a, b][g]" is
    # the number of people of cohort g in figure a but not in figure b (computed once per pair)
    by_quantity: dict[str, list[str]] = {}
    for figure in figures:
        if figure.members is not None:
            for quantity in sorted(figure.quantities):
                by_quantity.setdefault(quantity, []).append(figure.measure)
    only_in: dict[tuple[str, str], list[int]] = {}
    for measures in by_quantity.values():
        for a in measures:
            for b in measures:
                if a != b and (a, b) not in only_in:
                    only_in[(a, b)] = per_group(members[a] & ~members[b]).tolist()

    arrays = {
        "only_in": {pair: np.asarray(v, dtype=np.int64) for pair, v in only_in.items()},
        "counts": {m: np.array([per[g] for g in names], dtype=np.int64) for m, per in counts.items()},
    }

    def differences(key: tuple[str, str | None], other: tuple[str, str | None]) -> tuple[int, int]:
        """People in ``key``'s group but not ``other``'s, and the other way round."""
        (fa, ga), (fb, gb) = key, other
        if ga is not ALL and gb is not ALL:  # the same cohort (different cohorts are never compared)
            k = code_of[ga]
            if fa == fb:
                return 0, 0
            return only_in[(fa, fb)][k], only_in[(fb, fa)][k]
        if ga is ALL and gb is ALL:
            if fa == fb:
                return 0, 0
            return sum(only_in[(fa, fb)]), sum(only_in[(fb, fa)])
        if gb is ALL:  # keep the cohort first
            b_minus_a, a_minus_b = differences(other, key)
            return a_minus_b, b_minus_a
        # key is everyone in figure fa, other is cohort gb in figure fb
        k = code_of[gb]
        other_only = 0 if fa == fb else only_in[(fb, fa)][k]
        both = counts[fb][gb] - other_only
        return counts[fa][ALL] - both, other_only

    changed = True
    while changed:
        changed = False
        for figure in figures:  # rules 1 and 2, per figure across the cohorts
            per = counts[figure.measure]
            decisions = suppress_table(
                {g: per[g] for g in names},
                threshold,
                total_shown=(figure.measure, ALL) not in hidden,
                hidden={g: hidden[(figure.measure, g)] for g in names if (figure.measure, g) in hidden},
            )
            for g, decision in decisions.items():
                if decision is not None and (figure.measure, g) not in hidden:
                    hidden[(figure.measure, g)] = decision
                    changed = True
        for measures in by_quantity.values():  # rule 3
            if len(measures) < 2:  # one figure across cohorts: rule 2 covers everyone minus a cohort
                continue
            # cells of two different cohorts are disjoint and each shown one holds at least the threshold,
            # so only the same cohort, or everyone against anything, can differ by a few people
            kept_all: list[str] = []
            kept_cohorts = {m: np.zeros(n_groups, dtype=bool) for m in measures}
            for measure in measures:
                order = sorted(range(n_groups), key=lambda k, m=measure: (-counts[m][names[k]], names[k]))
                for key in [(measure, ALL), *((measure, names[k]) for k in order)]:
                    if key in hidden or counts[measure][key[1]] == 0:
                        continue
                    if key[1] is ALL:
                        clash = any(
                            not _safe(differences(key, (m, ALL)), threshold) for m in kept_all
                        ) or any(
                            _clashes_with_cohorts(key, m, kept_cohorts[m], counts, arrays, threshold)
                            for m in measures
                            if kept_cohorts[m].any()
                        )
                    else:
                        k = code_of[key[1]]
                        clash = any(
                            not _safe(differences(key, (m, key[1])), threshold)
                            for m in measures
                            if kept_cohorts[m][k]
                        ) or any(not _safe(differences(key, (m, ALL)), threshold) for m in kept_all)
                    if clash:
                        hidden[key] = Hidden(Reason.SECONDARY, counts[measure][key[1]], threshold)
                        changed = True
                    elif key[1] is ALL:
                        kept_all.append(measure)
                    else:
                        kept_cohorts[measure][code_of[key[1]]] = True

    cells = {
        (measure, g): Cell(measure, g, per[g], hidden.get((measure, g)))
        for measure, per in counts.items()
        for g in (ALL, *names)
    }
    return DisclosurePlan(threshold=threshold, groups=names, cells=cells)


__all__ = [
    "ALL",
    "NO_COHORT",
    "Cell",
    "DisclosurePlan",
    "Figure",
    "Hidden",
    "LiveChart",
    "LiveRelease",
    "LiveStep",
    "Reason",
    "Refusal",
    "Tally",
    "build_plan",
    "hidden_text",
    "comparable",
    "live_chart",
    "live_step",
    "mark",
    "people_apart",
    "remainder_ok",
    "suppress_table",
    "too_few",
]
