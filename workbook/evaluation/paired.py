"""Paired statistics of many groups at once (the items, the cohorts): mean change with its CI, paired t,
the grouped Wilcoxon signed-rank test, effect sizes, normalised gain, and Cronbach's alpha. Each is
computed with ``np.bincount`` over group codes, so the cost grows with the answers, not the groups."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from workbook.config import DEFAULT_THRESHOLD, check_threshold
from workbook.evaluation.disclosure import Hidden, mark, too_few
from workbook.evaluation.result import PairedStats

TIE_DECIMALS = 9  # differences equal to this many decimals are ties / zero (float noise is not a change)

# The figures of a paired block, in order, without the reason a hidden block carries.
STAT_KEYS: tuple[str, ...] = tuple(
    key for key in PairedStats.model_fields if key not in ("hidden_because", "hidden_text")
)


def _grouped_paired(
    pre: np.ndarray, post: np.ndarray, groups: np.ndarray, n_groups: int, *, scale_max: float
) -> dict[str, np.ndarray]:
    """Every paired figure for each group at once; inputs are matched pairs (no NaN), groups int codes."""
    pre = np.asarray(pre, dtype=np.float64)
    post = np.asarray(post, dtype=np.float64)
    groups = np.asarray(groups, dtype=np.int64)
    g = n_groups
    out: dict[str, np.ndarray] = {}
    with np.errstate(all="ignore"):
        n_int = np.bincount(groups, minlength=g)
        n = n_int.astype(np.float64)
        diff = post - pre

        def mean(x: np.ndarray) -> np.ndarray:
            return np.bincount(groups, weights=x, minlength=g) / n

        def sd(x: np.ndarray, m: np.ndarray) -> np.ndarray:
            return np.sqrt(np.bincount(groups, weights=(x - m[groups]) ** 2, minlength=g) / (n - 1))

        m_pre, m_post, m_diff = mean(pre), mean(post), mean(diff)
        s_pre, s_post, s_diff = sd(pre, m_pre), sd(post, m_post), sd(diff, m_diff)
        df = n - 1
        se = s_diff / np.sqrt(n)
        t = m_diff / se
        t = np.where((se == 0) & (m_diff == 0), np.nan, t)
        valid_df = df >= 1
        p = np.full(g, np.nan)
        crit = np.full(g, np.nan)
        p[valid_df] = 2 * sps.t.sf(np.abs(t[valid_df]), df[valid_df])
        crit[valid_df] = sps.t.ppf(0.975, df[valid_df])
        d_z = m_diff / s_diff
        d_z = np.where(s_diff == 0, np.nan, d_z)
        sd_av = np.sqrt((s_pre**2 + s_post**2) / 2)
        d_av = np.where(sd_av == 0, np.nan, m_diff / sd_av)
        g_z = d_z * (1 - 3 / (4 * df - 1))

        rounded = np.round(diff, TIE_DECIMALS)
        up = np.bincount(groups, weights=rounded > 0, minlength=g)
        down = np.bincount(groups, weights=rounded < 0, minlength=g)
        zero = n - up - down
        room = scale_max - m_pre
        ceiling = np.bincount(groups, weights=pre >= scale_max - 10.0**-TIE_DECIMALS, minlength=g)

        out.update(
            n=n_int,
            pre_mean=m_pre,
            pre_sd=s_pre,
            post_mean=m_post,
            post_sd=s_post,
            mean_change=m_diff,
            ci_low=m_diff - crit * se,
            ci_high=m_diff + crit * se,
            t=t,
            df=df,
            p=p,
            wilcoxon_p=_grouped_wilcoxon_p(rounded, groups, n_int, zero),
            d_z=d_z,
            d_av=d_av,
            g_z=g_z,
            pct_change_of_means=np.where(m_pre == 0, np.nan, 100 * (m_post - m_pre) / m_pre),
            pct_improved=100 * up / n,
            pct_same=100 * zero / n,
            pct_declined=100 * down / n,
            normalized_gain=np.where(room <= 10.0**-TIE_DECIMALS, np.nan, (m_post - m_pre) / room),
            pct_at_ceiling_pre=100 * ceiling / n,
        )
    return out


# The dense rank table (groups x distinct |change| values) is used while it stays small compared with
# the data: always so for answers on a fixed scale. Otherwise a sort does the ranking.
_DENSE_RANK_FACTOR = 4
_DENSE_RANK_MIN_CELLS = 1 << 20


def _ranks_within_groups(
    a: np.ndarray, groups: np.ndarray, n_int: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Average ranks (1-based, ties share their mean rank) of ``a`` within each group, and per group the
    tie term sum(t^3 - t) over runs of equal non-zero values."""
    g = len(n_int)
    codes, uniques = pd.factorize(a, sort=True)  # codes are dense ranks of the distinct values
    v = len(uniques)
    if g * v <= max(_DENSE_RANK_FACTOR * len(a), _DENSE_RANK_MIN_CELLS):
        key = groups * v + codes
        counts = np.bincount(key, minlength=g * v).reshape(g, v).astype(np.float64)
        average = (np.cumsum(counts, axis=1) - counts) + (counts + 1) / 2
        tied = counts[:, 1:] if uniques[0] == 0 else counts  # zeros are not in the tie term
        return average.ravel()[key], (tied**3 - tied).sum(axis=1)
    order = np.lexsort((a, groups))
    g_s, a_s = groups[order], a[order]
    new_run = np.ones(len(a), dtype=bool)
    new_run[1:] = (g_s[1:] != g_s[:-1]) | (a_s[1:] != a_s[:-1])
    run_start = np.flatnonzero(new_run)
    run_len = np.diff(np.append(run_start, len(a))).astype(np.float64)
    run_group = g_s[run_start]
    group_start = np.concatenate(([0], np.cumsum(n_int)[:-1]))
    run_rank = (run_start - group_start[run_group]) + (run_len + 1) / 2
    rank = np.empty(len(a))
    rank[order] = run_rank[np.cumsum(new_run) - 1]
    ties = np.where(a_s[run_start] == 0, 0.0, run_len**3 - run_len)
    return rank, np.bincount(run_group, weights=ties, minlength=g)


def _grouped_wilcoxon_p(
    diff: np.ndarray, groups: np.ndarray, n_int: np.ndarray, n_zero: np.ndarray
) -> np.ndarray:
    """Two-sided signed-rank p per group: Pratt zeros, normal approximation, tie and continuity correction."""
    g = len(n_int)
    p = np.full(g, np.nan)
    if len(diff) == 0:
        return p
    rank, tie_term = _ranks_within_groups(np.abs(diff), groups, n_int)
    r_plus = np.bincount(groups, weights=rank * (diff > 0), minlength=g)
    n = n_int.astype(np.float64)
    nz = n_zero
    with np.errstate(all="ignore"):
        expected = n * (n + 1) / 4 - nz * (nz + 1) / 4
        variance = (n * (n + 1) * (2 * n + 1) - nz * (nz + 1) * (2 * nz + 1) - tie_term / 2) / 24
        se = np.sqrt(variance)
        ok = (n - nz >= 1) & (se > 0)
        z = (r_plus - expected) / se
        z = z - np.sign(z) * 0.5 / se
        p[ok] = np.minimum(1.0, 2 * sps.norm.sf(np.abs(z[ok])))
    return p


def _num(value: Any) -> float | None:
    """A plain float for JSON, or None for anything missing or infinite."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _stats_dicts(block: dict[str, np.ndarray], hidden: Sequence[Hidden | None]) -> list[dict[str, Any]]:
    """One STATS dict per group, emptied where ``hidden`` says so (plain lists made once, not per cell)."""
    n = block["n"].tolist()
    columns: dict[str, list] = {}
    for key in (*STAT_KEYS[2:], "ci_low", "ci_high"):
        if key in ("ci95", "df"):
            continue
        values = np.asarray(block[key], dtype=np.float64)
        finite = np.isfinite(values)
        columns[key] = [v if ok else None for v, ok in zip(values.tolist(), finite.tolist(), strict=True)]
    df = block["df"].tolist()
    out = []
    for i, count in enumerate(n):
        result: dict[str, Any] = dict.fromkeys(STAT_KEYS)
        result["n"] = int(count)
        if hidden[i] is None:
            for key in STAT_KEYS[2:]:
                if key == "ci95":
                    low, high = columns["ci_low"][i], columns["ci_high"][i]
                    result[key] = None if low is None or high is None else [low, high]
                elif key == "df":
                    result[key] = int(df[i])
                else:
                    result[key] = columns[key][i]
        out.append(mark(result, hidden[i]))
    return out


def _stats_dict(block: dict[str, np.ndarray], i: int, hidden: Hidden | None) -> dict[str, Any]:
    return _stats_dicts({key: values[i : i + 1] for key, values in block.items()}, [hidden])[0]


def paired_stats(
    pre: Iterable[float],
    post: Iterable[float],
    *,
    scale_max: float,
    threshold: int = DEFAULT_THRESHOLD,
) -> PairedStats:
    """The paired figures of one group of matched pairs (NaN pairs are dropped), suppression included."""
    threshold = check_threshold(threshold)
    pre_a = np.asarray(list(pre) if not isinstance(pre, np.ndarray) else pre, dtype=np.float64)
    post_a = np.asarray(list(post) if not isinstance(post, np.ndarray) else post, dtype=np.float64)
    if pre_a.shape != post_a.shape:
        raise ValueError("pre and post must have the same length")
    keep = ~np.isnan(pre_a) & ~np.isnan(post_a)
    block = _grouped_paired(
        pre_a[keep], post_a[keep], np.zeros(int(keep.sum()), dtype=np.int64), 1, scale_max=scale_max
    )
    return PairedStats.model_validate(_stats_dict(block, 0, too_few(int(keep.sum()), threshold)))


def cronbach_alpha(items: np.ndarray) -> float | None:
    """Cronbach's alpha of a participants x items matrix, listwise (rows with any NaN are left out)."""
    items = np.asarray(items, dtype=np.float64)
    if items.ndim != 2 or items.shape[1] < 2:
        return None
    complete = items[~np.isnan(items).any(axis=1)]
    if complete.shape[0] < 2:
        return None
    k = complete.shape[1]
    total_var = complete.sum(axis=1).var(ddof=1)
    if total_var <= 0:
        return None
    return _num(k / (k - 1) * (1 - complete.var(axis=0, ddof=1).sum() / total_var))
