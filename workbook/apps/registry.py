"""The apps the workbook serves, in one list: the landing page and `workbook serve` read it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from workbook.config import REPO_ROOT

NOTEBOOKS = REPO_ROOT / "notebooks"


@dataclass(frozen=True)
class App:
    notebook: str
    title: str
    audience: str
    summary: str
    roles: tuple[str, ...] = ()  # who may open it; nobody else gets past its sign-in
    home: bool = False  # a person's starting page (lessons are reached from the manager's home)
    lesson: str | None = None  # the lesson it shows (ids in data/lessons.yaml)

    @property
    def path(self) -> str:
        return f"/voila/render/{self.notebook}"


APPS: tuple[App, ...] = (
    App(
        "participant.ipynb",
        "Prepare for your career conversation",
        "Team members",
        "A guided self-assessment that saves as you type and becomes your development plan.",
        ("team_member",),
        True,
    ),
    App(
        "manager.ipynb",
        "Career conversations: the manager's course",
        "Managers in the coaching programme",
        "Lessons, practice scenarios, your conversation planner and the comfort and skill check.",
        ("manager",),
        True,
    ),
    App(
        "lesson-why.ipynb",
        "Lesson 1: Why career conversations matter",
        "Managers in the coaching programme",
        "What is at stake when managers stay silent about careers, and what usually holds them back.",
        ("manager",),
        lesson="why_it_matters",
    ),
    App(
        "lesson-practices.ipynb",
        "Lesson 2: The practices of a good career conversation",
        "Managers in the coaching programme",
        "Frame, run and follow up a career conversation; practise on three realistic scenarios.",
        ("manager",),
        lesson="practices",
    ),
    App(
        "lesson-preparing.ipynb",
        "Lesson 3: Helping your team member prepare",
        "Managers in the coaching programme",
        "The preparation outline you can share, and how to help when someone arrives unsure.",
        ("manager",),
        lesson="preparing",
    ),
    App(
        "conversation.ipynb",
        "Your career one-on-one",
        "Team members and their managers",
        "The 1:1 itself: a shared agenda, notes and actions, and a briefing before the next talk.",
        ("team_member", "manager"),
    ),
    App(
        "facilitator.ipynb",
        "Run your cohort",
        "Facilitators",
        "Set up your cohort, hand out personal links, open and close the check, see who has done what.",
        ("facilitator",),
        True,
    ),
    App(
        "room.ipynb",
        "Room view",
        "Facilitators",
        "Your cohort's answers to a knowledge check or the comfort check, as a live chart for the projector.",
        ("facilitator",),
    ),
    App(
        "preview.ipynb",
        "Content preview",
        "Facilitators who adapt the lessons",
        "A lesson as your draft of the content has it, with any mistake named, before you publish it.",
        ("facilitator",),
    ),
    App(
        "evaluator.ipynb",
        "Programme evaluation",
        "Evaluators",
        "Before-and-after analysis of comfort and skill, with every figure defined.",
        ("evaluator",),
        True,
    ),
)


PARTICIPANT_NOTEBOOK = "participant.ipynb"
CONVERSATION_NOTEBOOK = "conversation.ipynb"
HOME_NOTEBOOK = "manager.ipynb"
# The notebook of each lesson, by lesson id.
LESSON_NOTEBOOKS: dict[str, str] = {a.lesson: a.notebook for a in APPS if a.lesson}


def available_apps() -> list[App]:
    """The apps whose notebook is present."""
    return [app for app in APPS if (NOTEBOOKS / app.notebook).exists()]


def app(notebook: str) -> App:
    """The app served from `notebook` (KeyError for an unknown one)."""
    for candidate in APPS:
        if candidate.notebook == notebook:
            return candidate
    raise KeyError(notebook)


def apps_for(roles: Iterable[str]) -> list[App]:
    """The starting pages of someone holding `roles`, in the order of APPS."""
    held = set(roles)
    return [a for a in APPS if a.home and held & set(a.roles)]
