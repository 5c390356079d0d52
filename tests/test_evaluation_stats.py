"""The paired analysis, checked against scipy on raw arrays, the worked example and the edge cases."""

from __future__ import annotations

import datetime as dt
import json
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from workbook.demo_scores import MANAGER_COMFORT_ITEMS, synthetic_scores
from workbook.evaluation import (
    METHOD,
    STAT_KEYS,
    check_threshold,
    cronbach_alpha,
    filter_scores,
    item_answer_distribution,
    paired_scale_scores,
    paired_stats,
    run_evaluation,
    summary_frame,
)
from workbook.evaluation.result import PairedStats
from workbook.scores_frame import validate_scores_frame

TOL = 1e-6


def long_frame(waves: dict[str, dict[str, list[float]]], cohort="A", start="2026-01-05") -> pd.DataFrame:
    """waves = {wave: {item: [score per participant, NaN = not answered]}} -> validated long frame."""
    rows = []
    when = {"pre": start, "post": "2026-03-05", "then": "2026-03-05T00:05:00"}
    for wave, items in waves.items():
        for item, scores in items.items():
            for p, score in enumerate(scores):
                if score is None or np.isnan(score):
                    continue
                name = cohort[p] if isinstance(cohort, list) else cohort
                rows.append((f"m{p:03d}", name, wave, item, score, when[wave]))
    frame = pd.DataFrame(rows, columns=["participant", "cohort", "wave", "item", "score", "answered_at"])
    return validate_scores_frame(frame, scale_min=0, scale_max=20)


def assert_close(actual, expected, tol=TOL):
    assert actual is not None, f"expected {expected}, got None"
    assert abs(actual - expected) <= tol * max(1.0, abs(expected)), (actual, expected)


def check_against_scipy(block: dict, pre: np.ndarray, post: np.ndarray, scale_max: float) -> None:
    """Every figure of a STATS block recomputed independently from the raw arrays."""
    n = len(pre)
    diff = post - pre
    assert block.n == n and block.suppressed is False
    assert_close(block.pre_mean, np.mean(pre))
    assert_close(block.post_mean, np.mean(post))
    assert_close(block.pre_sd, np.std(pre, ddof=1))
    assert_close(block.post_sd, np.std(post, ddof=1))
    assert_close(block.mean_change, np.mean(diff))
    test = stats.ttest_rel(post, pre)
    ci = test.confidence_interval()
    assert_close(block.t, test.statistic)
    assert block.df == n - 1 == int(test.df)
    assert_close(block.p, test.pvalue)
    assert_close(block.ci95[0], ci.low)
    assert_close(block.ci95[1], ci.high)
    # our documented tie rule: changes equal to 9 decimals are ties (3.3 - 2.9 and 0.4 are the same change);
    # on exactly representable data (integer answers) this is scipy on the raw differences
    tied = np.round(diff, 9)
    wilcoxon = stats.wilcoxon(tied, zero_method="pratt", method="approx", correction=True)
    assert_close(block.wilcoxon_p, wilcoxon.pvalue)
    d_z = np.mean(diff) / np.std(diff, ddof=1)
    assert_close(block.d_z, d_z)
    assert_close(block.d_z, test.statistic / np.sqrt(n))
    assert_close(block.d_av, np.mean(diff) / np.sqrt((np.var(pre, ddof=1) + np.var(post, ddof=1)) / 2))
    assert_close(block.g_z, d_z * (1 - 3 / (4 * (n - 1) - 1)))
    assert_close(block.pct_change_of_means, 100 * (np.mean(post) - np.mean(pre)) / np.mean(pre))
    assert_close(block.pct_improved, 100 * np.mean(tied > 0))
    assert_close(block.pct_same, 100 * np.mean(tied == 0))
    assert_close(block.pct_declined, 100 * np.mean(tied < 0))
    assert_close(block.normalized_gain, (np.mean(post) - np.mean(pre)) / (scale_max - np.mean(pre)))
    assert_close(block.pct_at_ceiling_pre, 100 * np.mean(pre == scale_max))


def alpha_by_hand(matrix: np.ndarray) -> float:
    matrix = matrix[~np.isnan(matrix).any(axis=1)]
    k = matrix.shape[1]
    return k / (k - 1) * (1 - matrix.var(axis=0, ddof=1).sum() / matrix.sum(axis=1).var(ddof=1))


# --------------------------------------------------------------------------------------------------


def test_worked_example():
    pre = [5.5, 2.4, 6.8, 9.6, 4.2]
    post = [6.4, 3.4, 6.4, 11.0, 4.8]
    result = run_evaluation(long_frame({"pre": {"x": pre}, "post": {"x": post}}), scale_min=0, scale_max=20)
    scale = result.scale
    assert scale.n == 5 and not scale.suppressed
    # published figures are for pre minus post; ours are post minus pre, so the signs flip
    assert round(-scale.t, 3) == -2.308
    assert scale.df == 4
    assert round(scale.p, 4) == 0.0822
    assert [round(-scale.ci95[1], 2), round(-scale.ci95[0], 2)] == [-1.54, 0.14]
    assert round(scale.d_av, 4) == 0.2508
    check_against_scipy(scale, np.array(pre), np.array(post), 20)
    assert paired_stats(pre, post, scale_max=20) == PairedStats.model_validate(
        scale.model_dump(include=set(PairedStats.model_fields))
    )


def test_demo_data_against_scipy_scale_items_and_cohorts():
    frame = synthetic_scores(n_participants=60, seed=7)
    result = run_evaluation(frame, scale_min=1, scale_max=5, threshold=5)
    wide = frame.pivot_table(index=["participant", "wave"], columns="item", values="score").reset_index()
    items = list(MANAGER_COMFORT_ITEMS)
    wide["scale"] = wide[items].mean(axis=1)  # mean of the answered items
    scale = wide.pivot(index="participant", columns="wave", values="scale")
    matched = scale.dropna(subset=["pre", "post"])
    check_against_scipy(result.scale, matched["pre"].to_numpy(), matched["post"].to_numpy(), 5)

    # 2 people answered post but not 'then': the post mean of the 'then' comparison would give their
    # post scores by difference, so that comparison is hidden; among those with all three waves it is not
    then_pairs = scale.dropna(subset=["then", "post"])
    assert len(matched) - len(then_pairs) == 2
    then = result.scale.then
    assert then.suppressed and then.hidden_because == "secondary" and then.post_mean is None
    three = frame[frame["participant"].isin(then_pairs.index)]
    all_three = run_evaluation(three, scale_min=1, scale_max=5, threshold=5)
    check_against_scipy(all_three.scale.then, then_pairs["then"].to_numpy(), then_pairs["post"].to_numpy(), 5)

    shift_pairs = scale.dropna(subset=["pre", "then"])
    shift = all_three.scale.response_shift
    diff = (shift_pairs["then"] - shift_pairs["pre"]).to_numpy()
    assert shift.n == len(diff)
    assert_close(shift.mean_shift, diff.mean())
    assert_close(shift.sd, diff.std(ddof=1))
    ci = stats.ttest_1samp(diff, 0).confidence_interval()
    assert_close(shift.ci95[0], ci.low)
    assert_close(shift.ci95[1], ci.high)
    assert shift.mean_shift < 0  # then is usually below pre in the demo data

    by_wave = {w: wide[wide["wave"] == w].set_index("participant")[items] for w in ("pre", "post")}
    for item in items:
        pairs = pd.concat(
            [by_wave["pre"][item], by_wave["post"][item]], axis=1, keys=["pre", "post"]
        ).dropna()
        check_against_scipy(result.items[item], pairs["pre"].to_numpy(), pairs["post"].to_numpy(), 5)

    cohort_of = frame.drop_duplicates("participant").set_index("participant").cohort
    sizes = {c: int((cohort_of.reindex(matched.index) == c).sum()) for c in result.cohorts}
    small = [c for c, n in sizes.items() if 0 < n < 5]
    # one small cohort hidden: the smallest shown cohort is hidden too, or overall minus the rest reveals it
    complement = min((c for c in sizes if c not in small), key=sizes.get) if len(small) == 1 else None
    for cohort, entry in result.cohorts.items():
        members = matched[cohort_of.reindex(matched.index) == cohort]
        if len(members) < 5 or cohort == complement:
            assert entry.scale.suppressed and entry.scale.mean_change is None
            continue
        check_against_scipy(entry.scale, members["pre"].to_numpy(), members["post"].to_numpy(), 5)

    for wave in ("pre", "post"):
        assert_close(getattr(result.scale, f"alpha_{wave}"), alpha_by_hand(by_wave[wave].to_numpy()))
        assert getattr(result.scale, f"alpha_{wave}_n") == int(by_wave[wave].notna().all(axis=1).sum())


def test_flow_counts_and_attrition_means():
    pre = {"a": [1, 2, 3, 4, 5, 2, 3, 4, 1, 2, 3, 4], "b": [2, 2, 3, 4, 5, 2, 3, 4, 1, 2, 3, 4]}
    post = {"a": [2, 3, 4, 5, 5, 3, 4, 5, np.nan, np.nan, np.nan, np.nan]}
    post["b"] = post["a"]
    frame = long_frame({"pre": pre, "post": post})
    extra = frame.iloc[:1].assign(participant="late", wave="post")  # post only
    frame = pd.concat([frame, extra], ignore_index=True)
    flow = run_evaluation(frame, scale_min=1, scale_max=5).flow
    assert flow.participants == 13
    assert flow.pre == 12 and flow.post == 9 and flow.then == 0
    assert flow.matched == 8 and flow.pre_without_post == 4
    pre_scale = (np.array(pre["a"]) + np.array(pre["b"])) / 2
    assert_close(flow.pre_mean_completers, pre_scale[:8].mean())
    assert flow.pre_mean_noncompleters is None  # 4 non-completers: under the threshold
    flow3 = run_evaluation(frame, scale_min=1, scale_max=5, threshold=3).flow
    assert_close(flow3.pre_mean_noncompleters, pre_scale[8:].mean())


def test_missing_items_use_the_mean_of_answered_items_and_items_have_their_own_n():
    pre = {"a": [1, 2, 3, 4, 2, 3], "b": [3, np.nan, 3, 4, 2, 1]}
    post = {"a": [2, 3, 4, 5, 3, 3], "b": [4, 4, np.nan, 4, 3, 2]}
    result = run_evaluation(long_frame({"pre": pre, "post": post}), scale_min=1, scale_max=5)
    pre_scale = np.nanmean(np.array([pre["a"], pre["b"]], dtype=float), axis=0)
    post_scale = np.nanmean(np.array([post["a"], post["b"]], dtype=float), axis=0)
    check_against_scipy(result.scale, pre_scale, post_scale, 5)
    assert result.items["a"].n == 6
    assert result.items["b"].n == 4  # two participants skipped b in one wave
    assert result.items["b"].suppressed
    assert result.scale.alpha_pre_n == 5 and result.scale.alpha_post_n == 5
    assert_close(result.scale.alpha_pre, alpha_by_hand(np.array([pre["a"], pre["b"]], float).T))


def test_ties_and_zero_differences_match_scipy():
    pre = [2, 3, 3, 4, 2, 3, 1, 2, 3, 4, 2, 2]
    post = [3, 3, 4, 5, 2, 4, 2, 3, 3, 4, 3, 1]
    result = run_evaluation(long_frame({"pre": {"x": pre}, "post": {"x": post}}), scale_min=1, scale_max=5)
    check_against_scipy(result.scale, np.array(pre, float), np.array(post, float), 5)
    assert_close(result.scale.pct_same, 100 * 4 / 12)


def test_all_differences_zero_gives_nulls_without_warnings():
    values = [2, 3, 4, 2, 3, 5]
    frame = long_frame({"pre": {"x": values}, "post": {"x": values}})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = run_evaluation(frame, scale_min=1, scale_max=5)
    scale = result.scale
    assert scale.mean_change == 0.0
    assert scale.t is None and scale.p is None and scale.wilcoxon_p is None
    assert scale.d_z is None and scale.g_z is None
    assert scale.d_av == 0.0
    assert scale.ci95 == (0.0, 0.0)
    assert scale.pct_same == 100.0
    json.dumps(result.model_dump(mode="json"), allow_nan=False)


def test_constant_nonzero_change():
    pre = [1, 2, 3, 2, 1]
    post = [2, 3, 4, 3, 2]
    scale = run_evaluation(
        long_frame({"pre": {"x": pre}, "post": {"x": post}}), scale_min=1, scale_max=5
    ).scale
    assert scale.mean_change == 1.0
    assert scale.t is None  # infinite
    assert scale.p == 0.0
    assert scale.d_z is None
    assert_close(
        scale.wilcoxon_p,
        stats.wilcoxon(np.ones(5), zero_method="pratt", method="approx", correction=True).pvalue,
    )


def test_single_participant_is_suppressed():
    frame = long_frame({"pre": {"x": [2], "y": [3]}, "post": {"x": [4], "y": [4]}})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = run_evaluation(frame, scale_min=1, scale_max=5, threshold=3)
    assert result.flow.participants == 1 and result.flow.matched == 1
    assert result.flow.pre_mean_completers is None
    for block in (result.scale, *result.items.values(), result.cohorts["A"].scale):
        assert block.suppressed is True and block.n == 1
        assert all(getattr(block, k) is None for k in STAT_KEYS if k not in ("n", "suppressed"))
    assert result.scale.alpha_pre is None
    json.dumps(result.model_dump(mode="json"), allow_nan=False)


def test_cohort_under_the_threshold_keeps_counts_only():
    cohorts = ["Big"] * 6 + ["Small"] * 3
    pre = [1, 2, 3, 2, 3, 4, 2, 3, 4]
    post = [2, 3, 3, 4, 4, 5, 4, 4, 5]
    frame = long_frame({"pre": {"x": pre}, "post": {"x": post}}, cohort=cohorts)
    result = run_evaluation(frame, scale_min=1, scale_max=5)
    small = result.cohorts["Small"]
    assert small.flow.participants == 3 and small.flow.matched == 3
    assert small.flow.pre_mean_completers is None
    assert small.scale.suppressed and small.scale.n == 3 and small.scale.mean_change is None
    # Big is hidden too: overall minus Big would otherwise give Small's figures
    big = result.cohorts["Big"]
    assert big.scale.suppressed and big.scale.n == 6 and big.scale.mean_change is None
    assert big.flow.pre_mean_completers is None and big.flow.matched == 6
    check_against_scipy(result.scale, np.array(pre, float), np.array(post, float), 5)
    table = summary_frame(result)
    row = table[(table["scope"] == "cohort") & (table["cohort"] == "Small")].iloc[0]
    assert bool(row["suppressed"]) and row["n"] == 3 and row["participants"] == 3
    assert row[["pre_mean", "mean_change", "ci95_low", "p", "d_z"]].isna().all()
    # threshold 3 shows it
    assert not run_evaluation(frame, scale_min=1, scale_max=5, threshold=3).cohorts["Small"].scale.suppressed


def test_complementary_suppression_hides_only_the_smallest_shown_cohort():
    cohorts = ["Big"] * 7 + ["Mid"] * 5 + ["Small"] * 2
    pre = [1, 2, 3, 2, 3, 4, 2, 3, 4, 2, 3, 3, 2, 2]
    post = [2, 3, 3, 4, 4, 5, 4, 4, 5, 3, 4, 4, 3, 4]
    result = run_evaluation(long_frame({"pre": {"x": pre}, "post": {"x": post}}, cohort=cohorts))
    shown = {name: not entry.scale.suppressed for name, entry in result.cohorts.items()}
    assert shown == {"Big": True, "Mid": False, "Small": False}
    check_against_scipy(result.cohorts["Big"].scale, np.array(pre[:7], float), np.array(post[:7], float), 5)
    # two small cohorts hidden already: their sum is a group of 4 people, no further hiding needed
    two_small = ["Big"] * 7 + ["S1"] * 3 + ["S2"] * 4
    result = run_evaluation(long_frame({"pre": {"x": pre}, "post": {"x": post}}, cohort=two_small))
    assert not result.cohorts["Big"].scale.suppressed


def test_participants_without_cohort_count_overall_only():
    cohorts = ["A"] * 5 + [""] * 3
    pre = [1, 2, 3, 2, 3, 2, 3, 4]
    post = [2, 3, 3, 4, 4, 4, 4, 5]
    result = run_evaluation(long_frame({"pre": {"x": pre}, "post": {"x": post}}, cohort=cohorts))
    assert list(result.cohorts) == ["A"]
    assert result.flow.participants == 8 and result.scale.n == 8


def test_pre_only_data():
    frame = long_frame({"pre": {"x": [1, 2, 3, 4, 5, 3], "y": [2, 2, 3, 4, 5, 3]}})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = run_evaluation(frame, scale_min=1, scale_max=5)
    assert result.flow.pre == 6 and result.flow.post == 0 and result.flow.matched == 0
    assert result.scale.suppressed and result.scale.n == 0
    assert result.scale.then is None and result.scale.response_shift is None
    assert result.scale.alpha_pre is None  # the group itself is suppressed
    assert all(block.suppressed for block in result.items.values())
    json.dumps(result.model_dump(mode="json"), allow_nan=False)


def test_empty_frame():
    frame = long_frame({"pre": {"x": [1]}}).iloc[:0]
    result = run_evaluation(frame)
    assert result.flow.participants == 0 and result.items == {} and result.cohorts == {}
    json.dumps(result.model_dump(mode="json"), allow_nan=False)
    assert len(summary_frame(result)) == 1


def test_scale_maximum_at_pre():
    pre = [5, 5, 5, 4, 3, 5]
    post = [5, 5, 4, 5, 4, 5]
    scale = run_evaluation(
        long_frame({"pre": {"x": pre}, "post": {"x": post}}), scale_min=1, scale_max=5
    ).scale
    assert_close(scale.pct_at_ceiling_pre, 100 * 4 / 6)
    check_against_scipy(scale, np.array(pre, float), np.array(post, float), 5)
    everyone_top = run_evaluation(
        long_frame({"pre": {"x": [5] * 5}, "post": {"x": [5, 5, 4, 5, 5]}}), scale_min=1, scale_max=5
    ).scale
    assert everyone_top.pct_at_ceiling_pre == 100.0
    assert everyone_top.normalized_gain is None  # pre mean is the maximum: no room to gain


def test_pct_change_of_means_undefined_at_zero_mean():
    scale = paired_stats([0, 0, 0, 0, 0], [1, 2, 0, 1, 1], scale_max=4)
    assert scale.pct_change_of_means is None
    assert_close(scale.normalized_gain, 1.0 / 4)


def test_coding_changes_percent_change_but_not_gain_share_or_t():
    pre = np.array([2, 3, 2, 3, 2.5])
    post = np.array([4, 5, 4, 5, 4.5])
    one_to_five = paired_stats(pre, post, scale_max=5)
    zero_to_four = paired_stats(pre - 1, post - 1, scale_max=4)
    assert round(one_to_five.pct_change_of_means) == 80
    assert round(zero_to_four.pct_change_of_means) == 133
    assert_close(one_to_five.normalized_gain, 0.8)
    assert_close(zero_to_four.normalized_gain, 0.8)
    assert one_to_five.pct_improved == zero_to_four.pct_improved == 100.0


def test_then_wave_compares_post_with_then():
    pre = [2, 3, 3, 2, 4, 3]
    then = [1, 2, 3, 2, 3, 2]
    post = [4, 4, 4, 3, 5, 4]
    result = run_evaluation(
        long_frame({"pre": {"x": pre}, "post": {"x": post}, "then": {"x": then}}), scale_max=5
    )
    check_against_scipy(result.scale.then, np.array(then, float), np.array(post, float), 5)
    shift = result.scale.response_shift
    assert_close(shift.mean_shift, np.mean(np.subtract(then, pre)))
    assert shift.three_waves.n == 6
    assert_close(shift.three_waves.post_mean, np.mean(post))


def test_repeated_answers_latest_counts():
    frame = long_frame({"pre": {"x": [1, 2, 3, 2, 3]}, "post": {"x": [2, 3, 4, 3, 4]}})
    correction = frame.iloc[[0]].assign(score=5.0, answered_at=pd.Timestamp("2026-01-06", tz="UTC"))
    older = frame.iloc[[1]].assign(score=5.0, answered_at=pd.Timestamp("2025-12-01", tz="UTC"))
    result = run_evaluation(
        pd.concat([frame, correction, older], ignore_index=True), scale_min=1, scale_max=5
    )
    check_against_scipy(result.scale, np.array([5, 2, 3, 2, 3], float), np.array([2, 3, 4, 3, 4], float), 5)


def test_cohort_from_latest_answer_when_rows_disagree():
    frame = long_frame({"pre": {"x": [1, 2, 3, 2, 3]}, "post": {"x": [2, 3, 4, 3, 4]}})
    frame.loc[(frame["participant"] == "m000") & (frame["wave"] == "post"), "cohort"] = "B"
    result = run_evaluation(frame, scale_min=1, scale_max=5, threshold=3)
    assert result.cohorts["A"].flow.participants == 4
    assert result.cohorts["B"].flow.participants == 1


@pytest.mark.parametrize("threshold", [0, 1, 2, -5, 2.5, "5", True])
def test_threshold_below_three_or_not_whole_is_refused(threshold):
    with pytest.raises(ValueError, match="threshold"):
        run_evaluation(synthetic_scores(), threshold=threshold)


def test_threshold_checks():
    assert check_threshold(3) == 3 and check_threshold(8.0) == 8
    with pytest.raises(ValueError, match="at least 3"):
        check_threshold(2)


def test_bad_scale_refused():
    with pytest.raises(ValueError, match="below the scale maximum"):
        run_evaluation(synthetic_scores(), scale_min=5, scale_max=5)


def test_json_shape_and_plain_types():
    result = run_evaluation(synthetic_scores())
    text = json.dumps(result.model_dump(mode="json"), allow_nan=False)
    assert json.loads(text) == result.model_dump(mode="json")
    data = result.model_dump(mode="json")  # the JSON contract of `workbook evaluate`
    assert set(data) >= {"threshold", "method", "flow", "scale", "items", "cohorts"}
    assert set(METHOD) >= {
        "t",
        "wilcoxon",
        "d_z",
        "d_av",
        "g_z",
        "normalized_gain",
        "pct_change_of_means",
        "alpha",
    }
    assert data["method"] == METHOD
    assert set(data["flow"]) >= {
        "participants",
        "pre",
        "post",
        "then",
        "matched",
        "pre_mean_completers",
        "pre_mean_noncompleters",
    }
    assert set(data["scale"]) >= set(STAT_KEYS) | {"alpha_pre", "alpha_post", "then", "response_shift"}
    assert list(data["items"]) == list(MANAGER_COMFORT_ITEMS)
    assert list(data["cohorts"]) == ["Cohort A", "Cohort B", "Cohort C"]

    def walk(value):
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        else:
            assert value is None or type(value) in (bool, int, float, str), type(value)

    walk(data)


def test_demo_cohort_c_is_suppressed_and_demo_is_reproducible():
    frame = synthetic_scores()
    assert frame.equals(synthetic_scores())
    assert frame["participant"].str.match(r"^demo-m\d{2}$").all()
    assert set(frame["wave"]) == {"pre", "post", "then"}
    assert set(frame["score"].unique()) <= {1.0, 2.0, 3.0, 4.0, 5.0}
    validate_scores_frame(frame)
    result = run_evaluation(frame)
    assert result.cohorts["Cohort C"].scale.suppressed
    assert result.cohorts["Cohort C"].flow.participants == 3
    assert result.flow.post < result.flow.pre  # attrition
    assert result.scale.pct_at_ceiling_pre > 0  # someone at the maximum before


def test_summary_frame_rows_and_columns():
    result = run_evaluation(synthetic_scores())
    table = summary_frame(result)
    assert {"scope", "cohort", "measure", "comparison", "n", "suppressed", "ci95_low", "ci95_high"} <= set(
        table.columns
    )
    # the scale, post vs then, the response shift (then vs pre), each item, each cohort
    assert len(table) == 1 + 1 + 1 + len(MANAGER_COMFORT_ITEMS) + 3
    overall = table.iloc[0]
    assert overall.measure == "scale" and overall.comparison == "post vs pre"
    assert list(table.comparison[1:3]) == ["post vs then", "then vs pre"]
    shift, decided = table.iloc[2], result.scale.response_shift
    assert shift.n == decided.n and shift.suppressed == decided.suppressed  # 35 of 37: hidden here
    assert shift.why_hidden == decided.hidden_text and pd.isna(shift.mean_change)
    assert_close(overall.mean_change, result.scale.mean_change)
    assert_close(overall.alpha_pre, result.scale.alpha_pre)
    assert table["suppressed"].dtype == bool
    assert table.loc[table["suppressed"], "mean_change"].isna().all()


def test_filter_scores_and_threshold_after_filter():
    frame = synthetic_scores()
    only_a = filter_scores(frame, cohorts=["Cohort A"])
    assert set(only_a["cohort"]) == {"Cohort A"}
    only_c = filter_scores(frame, cohorts=["Cohort C"])
    result = run_evaluation(only_c)
    assert result.scale.suppressed and result.flow.participants == 3  # suppressed after filtering

    pre_only = filter_scores(frame, end=dt.date(2026, 3, 1))
    assert set(pre_only["wave"]) == {"pre"}
    assert run_evaluation(pre_only).flow.matched == 0
    later = filter_scores(frame, start="2026-03-01")
    assert "pre" not in set(later["wave"])
    day = frame["answered_at"].min()
    same_day = filter_scores(frame, start=day.date(), end=day.date())
    assert len(same_day) > 0 and (same_day["answered_at"].dt.date == day.date()).all()
    aware = filter_scores(frame, end=pd.Timestamp(day))
    assert (aware["answered_at"] <= day).all()
    assert len(filter_scores(frame)) == len(frame)


def test_paired_scale_scores_and_answer_distribution():
    frame = synthetic_scores()
    pairs = paired_scale_scores(frame)
    assert list(pairs.columns) == ["participant", "cohort", "pre", "post", "then"]
    assert len(pairs) == 40
    dist = item_answer_distribution(frame)
    assert set(dist["level"]) == {1, 2, 3, 4, 5}
    first = dist[(dist["item"] == "open_forward") & (dist["wave"] == "pre")]
    expected_n = run_evaluation(frame).items["open_forward"].n
    assert first["count"].sum() == first["n"].iloc[0] == expected_n
    small = item_answer_distribution(filter_scores(frame, cohorts=["Cohort C"]))
    assert small["suppressed"].all() and small["count"].isna().all()


def test_cronbach_alpha_edge_cases():
    assert cronbach_alpha(np.array([[1.0], [2.0]])) is None  # one item
    assert cronbach_alpha(np.array([[1.0, 2.0]])) is None  # one person
    assert cronbach_alpha(np.array([[3.0, 3.0], [3.0, 3.0]])) is None  # no variance
    matrix = np.array([[1, 2, 2], [2, 3, 3], [4, 4, 5], [3, 3, 3], [5, 4, 5], [2, np.nan, 1]], dtype=float)
    assert_close(cronbach_alpha(matrix), alpha_by_hand(matrix))


@pytest.mark.parametrize("dense_ranks", [True, False])
@pytest.mark.parametrize("kind", ["likert", "continuous"])
def test_every_cohort_matches_scipy(monkeypatch, dense_ranks, kind):
    """Both ranking paths (dense table and sort) give scipy's signed-rank p in every group."""
    from workbook.evaluation import paired as engine

    if not dense_ranks:
        monkeypatch.setattr(engine, "_DENSE_RANK_FACTOR", 0)
        monkeypatch.setattr(engine, "_DENSE_RANK_MIN_CELLS", 0)
    rng = np.random.default_rng(11)
    sizes = rng.integers(5, 30, 25)
    cohorts = [f"C{c:02d}" for c, size in enumerate(sizes) for _ in range(size)]
    n = len(cohorts)
    if kind == "likert":
        pre = rng.integers(1, 6, n).astype(float)
        post = np.clip(pre + rng.integers(-1, 3, n), 1, 5)
    else:
        pre = np.round(rng.uniform(0, 20, n), 1)
        post = np.round(np.clip(pre + rng.normal(0.5, 2, n), 0, 20), 1)
    frame = long_frame({"pre": {"x": list(pre)}, "post": {"x": list(post)}}, cohort=cohorts)
    result = run_evaluation(frame, scale_min=0, scale_max=20)
    members = np.array(cohorts)
    for name, entry in result.cohorts.items():
        mask = members == name
        check_against_scipy(entry.scale, pre[mask], post[mask], 20)


def test_float_noise_in_changes_counts_as_a_tie():
    pre = np.array([2.9, 0.0, 1.0, 2.0, 3.0])
    post = np.array([3.3, 0.4, 1.4, 2.4, 3.0])  # 3.3 - 2.9 is 0.3999999999999999 in floating point
    block = paired_stats(pre, post, scale_max=5)
    assert block.pct_improved == 80.0 and block.pct_same == 20.0
    raw = stats.wilcoxon(post - pre, zero_method="pratt", method="approx", correction=True).pvalue
    tied = stats.wilcoxon(np.round(post - pre, 9), zero_method="pratt", method="approx", correction=True)
    assert_close(block.wilcoxon_p, tied.pvalue)
    assert abs(block.wilcoxon_p - raw) > 1e-6  # scipy on the raw floats would break the tie
