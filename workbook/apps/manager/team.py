"""The manager's "My team": the people who report to them now, and for each only what that person shares
"with my manager" (sections, goals with their check-ins, the plan made of those), each with when it was
shared.

The text comes only from `workbook.team.sharing.shared_with_manager`, read again every few seconds while
the page is open: an item unshared, or a person who no longer reports to this manager, leaves the page
(its widgets are closed, so the kernel no longer holds its text) within one refresh. Fragments are built
with `workbook.text.html` (every value escaped), so the page loads no template engine."""

from __future__ import annotations

import datetime as dt

import ipywidgets as widgets
from markupsafe import Markup

from workbook.apps.common import close_tree, css, one_on_one_href, when
from workbook.apps.goal_progress import history_table, latest_line, progress_chart
from workbook.apps.live import Ticker, refresh_cards
from workbook.apps.manager.shared import Home
from workbook.apps.markup import html, joined, status_line
from workbook.store import StoreError
from workbook.team.sharing import MemberShare, SharedGoals, SharedSection, shared_with_manager

REFRESH_S = 5.0  # unsharing shows within 10 s: a refresh every 5 s and the time one takes
NO_REPORTS = (
    "Nobody reports to you in the workbook yet. A team member appears here once they are added with you as "
    "their manager: by your programme's facilitator (People, in the facilitator's app), or by whoever runs "
    "the workbook (workbook participants set-manager THEIR_ID YOUR_ID)."
)


def _shared_on(moment: dt.datetime | None) -> str:
    return f"shared {when(moment)}" if moment else "shared (their default)"


def _answer(text: str) -> Markup:
    return joined((html("{line}", line=line) for line in text.split("\n")), "<br>")


def section_html(section: SharedSection) -> Markup:
    rows = joined(
        html("<dt>{q}</dt><dd>{a}</dd>", q=question, a=_answer(answer))
        for question, answer in section.entries
    )
    return html(
        '<section class="wb-team-section" data-section="{id}"><h5>{title}</h5>'
        '<p class="wb-muted wb-team-shared-at">{shared} · last changed {changed}</p><dl>{rows}</dl>'
        "</section>",
        id=section.section_id,
        title=section.title,
        shared=_shared_on(section.shared_at),
        changed=when(section.changed_at),
        rows=rows,
    )


def goals_html(goals: SharedGoals) -> Markup:
    parts = []
    for goal in goals.goals:
        facts = joined(html("<dt>{k}</dt><dd>{v}</dd>", k=k, v=v) for k, v in goal.parts)
        parts.append(
            html(
                '<div class="wb-team-goal" data-goal="{id}"><h6>{title}</h6><dl>{facts}</dl>{latest}{chart}'
                "{history}</div>",
                id=goal.goal_id,
                title=goal.title,
                facts=facts,
                latest=latest_line(goal),
                chart=progress_chart(goal),
                history=history_table(goal),
            )
        )
    return html(
        '<section class="wb-team-section wb-team-goals" data-section="goals"><h5>Goals and check-ins</h5>'
        '<p class="wb-muted wb-team-shared-at">{shared} · last changed {changed}</p>{goals}</section>',
        shared=_shared_on(goals.shared_at),
        changed=when(goals.changed_at),
        goals=joined(parts),
    )


def member_html(share: MemberShare) -> Markup:
    if not share.shares_anything:
        body = html(
            '<p class="wb-muted wb-team-nothing">{name} has not shared anything with you yet. What they '
            "choose to share with their manager appears here, with the date.</p>",
            name=share.name,
        )
    else:
        body = joined(section_html(s) for s in share.sections)
        if share.goals is not None:
            body += goals_html(share.goals)
    return html('<h4 class="wb-team-name">{name}</h4>{body}', name=share.name, body=body)


class MemberCard:
    """One person of the manager's team: what they share, and a place for what the manager can do with it
    (the plan to download; the link to their 1:1 page goes in `conversation`)."""

    def __init__(self, share: MemberShare, download: object) -> None:
        self.pid = share.pid  # kept in Python: which person the card's buttons act for
        self.card = widgets.HTML(_dom_classes=css("wb-team-card-text"))
        self.conversation = widgets.HTML(  # their 1:1 page, opened with the manager's own code
            html(
                '<p class="wb-team-1on1"><a href="{href}">Open your 1:1 with {name}</a>: agenda, notes '
                "and actions.</p>",
                href=one_on_one_href(share.pid),
                name=share.name,
            ),
            _dom_classes=css("wb-team-conversation"),
        )
        self.plan_button = widgets.Button(
            description="Plan to download", icon="file", _dom_classes=css("wb-team-plan")
        )
        self.plan_button.on_click(lambda _b: download(self))  # type: ignore[operator]
        self.downloads = widgets.HTML(_dom_classes=css("wb-team-downloads"))
        self.widget = widgets.VBox(
            [self.card, self.conversation, self.plan_button, self.downloads],
            _dom_classes=css("wb-team-member", f"wb-team-member-{share.pid}"),
        )
        self.share: MemberShare | None = None
        self.show(share)

    def show(self, share: MemberShare) -> None:
        """Show what the person shares now; unchanged since the last refresh, left as it is."""
        if self.share == share:
            return
        if self.share is not None and self.share.plan != share.plan:
            self.downloads.value = ""  # a plan offered before no longer says what is shared now
        self.share = share
        self.card.value = member_html(share)
        self.plan_button.layout.display = None if share.plan is not None else "none"

    def close(self) -> None:
        close_tree(self.widget)


class TeamTab:
    """The manager's team, live."""

    def __init__(self, home: Home, *, refresh_every: float = REFRESH_S) -> None:
        self.home = home
        self.every = refresh_every
        self.cards: dict[str, MemberCard] = {}
        self.stamp = widgets.HTML(_dom_classes=css("wb-team-stamp"))
        self.message = widgets.HTML(_dom_classes=css("wb-team-message"))
        self.list = widgets.VBox(_dom_classes=css("wb-team-list"))
        self.widget = widgets.VBox(
            [
                widgets.HTML(
                    "<h3>My team</h3><p>The people who report to you, and for each only what they chose to "
                    "share with their manager: the latest version, with the date they shared it. What they "
                    "keep private, or share only with their facilitator, never shows here.</p>"
                ),
                self.stamp,
                self.message,
                self.list,
            ],
            _dom_classes=css("wb-tab-team"),
        )
        self.refresh()
        self.ticker = Ticker(self.every, self.refresh, self.widget)

    def stop(self) -> None:
        self.ticker.stop()

    def refresh(self) -> None:
        """Read what the team shares now: new people and items appear, changed ones update, the rest go."""
        try:
            shares = shared_with_manager(self.home.store, self.home.person)
        except StoreError as exc:  # no longer a manager: show nothing of anyone
            self.clear()
            self.stamp.value = status_line(f"Nothing to show: {exc}.", "wb-team-error", "alert")
            return
        self.cards = refresh_cards(
            self.cards,
            shares,
            lambda share: share.pid,
            lambda share: MemberCard(share, self.offer_plan),
            self.list,
        )
        kept = self.cards
        updated = dt.datetime.now(dt.UTC)
        if not kept:
            text = html('<p class="wb-team-empty">{text}</p>', text=NO_REPORTS)
        else:
            text = html(
                '<p class="wb-muted">{count} {people} · read at {at}, again every {every} s.</p>',
                count=len(kept),
                people="person reports to you" if len(kept) == 1 else "people report to you",
                at=when(updated),
                every=int(self.every),
            )
        self.stamp.value = text

    def clear(self) -> None:
        for card in self.cards.values():
            card.close()
        self.cards = {}
        self.list.children = []

    def offer_plan(self, card: MemberCard) -> None:
        """The plan made of what the person shares, read again now (so only what is shared at this moment)."""
        from workbook.apps.downloads import links_html, plan_downloads

        try:
            [share] = shared_with_manager(self.home.store, self.home.person, card.pid)
        except StoreError as exc:
            self.message.value = status_line(f"Not available: {exc}.", "wb-team-error", "alert")
            self.refresh()
            return
        if share.plan is None:
            card.downloads.value = status_line(
                "Nothing is shared with you to make a plan of.", "wb-muted", "note"
            )
            return
        plan = share.plan
        files = plan_downloads(plan)
        card.downloads.value = html(
            '<p class="wb-download-links">The plan made of what {name} shares with you: {links}</p>',
            name=share.name,
            links=links_html(files),
        )
