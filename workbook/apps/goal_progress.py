"""A goal's check-ins as the widget pages show them: a small progress chart (inline SVG, built with
`workbook.text.html`, so no plotting library is loaded) and the history as a table, which is also what a
screen reader reads. Used by the team member's check-ins and the manager's "My team"."""

from __future__ import annotations

from markupsafe import Markup

from workbook.apps.common import when
from workbook.palette import OKABE_ITO
from workbook.team.checkins import STATUSES, CheckIn, GoalProgress
from workbook.text import html, joined

WIDTH, HEIGHT, PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 320, 120, 34, 10, 10, 22
STATUS_COLOURS = {
    "not_started": OKABE_ITO["grey"],
    "on_track": OKABE_ITO["blue"],
    "at_risk": OKABE_ITO["vermillion"],
    "done": OKABE_ITO["green"],
}


def progress_chart(goal: GoalProgress) -> Markup:
    """Progress in percent over the check-ins that give one, oldest on the left, each point coloured by
    its status; a sentence instead when no check-in gives a percentage."""
    points = [c for c in goal.checkins if c.progress is not None]
    if not points:
        return html('<p class="wb-muted wb-goal-chart-none">No progress in percent recorded yet.</p>')
    inner_w, inner_h = WIDTH - PAD_LEFT - PAD_RIGHT, HEIGHT - PAD_TOP - PAD_BOTTOM
    step = inner_w / max(len(points) - 1, 1)
    xy = [
        (
            PAD_LEFT + (i * step if len(points) > 1 else inner_w / 2),
            PAD_TOP + inner_h * (1 - (c.progress or 0) / 100),
        )
        for i, c in enumerate(points)
    ]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
    dots = joined(
        html(
            '<circle cx="{x}" cy="{y}" r="4" fill="{colour}"><title>{label}</title></circle>',
            x=f"{x:.1f}",
            y=f"{y:.1f}",
            colour=STATUS_COLOURS.get(c.status, OKABE_ITO["black"]),
            label=f"{when(c.recorded_at)}: {c.status_label}, {c.progress}%",
        )
        for (x, y), c in zip(xy, points, strict=True)
    )
    grid = joined(
        html(
            '<line x1="{x1}" x2="{x2}" y1="{y}" y2="{y}" stroke="#dddddd"/>'
            '<text x="{tx}" y="{ty}" font-size="10" text-anchor="end" fill="#444444">{pct}%</text>',
            x1=PAD_LEFT,
            x2=WIDTH - PAD_RIGHT,
            y=f"{PAD_TOP + inner_h * (1 - pct / 100):.1f}",
            tx=PAD_LEFT - 4,
            ty=f"{PAD_TOP + inner_h * (1 - pct / 100) + 3:.1f}",
            pct=pct,
        )
        for pct in (0, 50, 100)
    )
    latest = points[-1]
    summary = (
        f"Progress of {goal.title}: {len(points)} check-in(s) with a percentage, from {points[0].progress}% "
        f"to {latest.progress}% ({latest.status_label}, {when(latest.recorded_at)})"
    )
    return html(
        '<figure class="wb-goal-chart"><svg role="img" viewBox="0 0 {w} {h}" width="100%" '
        'style="max-width:{w}px" aria-label="{summary}"><title>{summary}</title>{grid}'
        '<polyline points="{line}" fill="none" stroke="{stroke}" stroke-width="2"/>{dots}'
        '<text x="{mid}" y="{bottom}" font-size="10" text-anchor="middle" fill="#444444">check-ins, '
        "oldest first</text></svg>"
        '<figcaption class="wb-muted">Progress (%) at each check-in. Colours: {legend}.</figcaption>'
        "</figure>",
        w=WIDTH,
        h=HEIGHT,
        summary=summary,
        grid=grid,
        line=line,
        stroke=OKABE_ITO["black"],
        dots=dots,
        mid=PAD_LEFT + inner_w / 2,
        bottom=HEIGHT - 6,
        legend=", ".join(f"{label.lower()} {name}" for label, name in _legend()),
    )


def _legend() -> list[tuple[str, str]]:
    names = {"not_started": "grey", "on_track": "blue", "at_risk": "orange-red", "done": "green"}
    return [(STATUSES[s], names[s]) for s in STATUSES]


def history_table(goal: GoalProgress) -> Markup:
    """Every check-in of the goal, newest first."""
    if not goal.checkins:
        return html('<p class="wb-muted wb-goal-history-none">No check-ins yet.</p>')
    rows = joined(
        html(
            "<tr><td>{date}</td><td>{status}</td><td>{progress}</td><td>{note}</td></tr>",
            date=when(c.recorded_at),
            status=c.status_label,
            progress="" if c.progress is None else f"{c.progress}%",
            note=c.note,
        )
        for c in reversed(goal.checkins)
    )
    return html(
        '<table class="wb-goal-history"><caption>Check-ins on {title}, newest first</caption>'
        '<thead><tr><th scope="col">When</th><th scope="col">Status</th><th scope="col">Progress</th>'
        '<th scope="col">Note</th></tr></thead><tbody>{rows}</tbody></table>',
        title=goal.title,
        rows=rows,
    )


def latest_line(goal: GoalProgress) -> Markup:
    """Where the goal stands, in one line."""
    latest: CheckIn | None = goal.latest
    if latest is None:
        return html('<p class="wb-goal-latest wb-muted">No check-in yet.</p>')
    progress = f", {latest.progress}%" if latest.progress is not None else ""
    return html(
        '<p class="wb-goal-latest"><strong>{status}</strong>{progress} · {when}</p>',
        status=latest.status_label,
        progress=progress,
        when=when(latest.recorded_at),
    )
