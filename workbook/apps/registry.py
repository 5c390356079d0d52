"""The apps the workbook serves, in one list: the landing page and `workbook serve` read it."""

from __future__ import annotations

from dataclasses import dataclass

from workbook.config import REPO_ROOT

NOTEBOOKS = REPO_ROOT / "notebooks"


@dataclass(frozen=True)
class App:
    notebook: str
    title: str
    audience: str
    summary: str

    @property
    def path(self) -> str:
        return f"/voila/render/{self.notebook}"


APPS: tuple[App, ...] = (
    App(
        "participant.ipynb",
        "Prepare for your career conversation",
        "Team members",
        "A guided self-assessment that saves as you type and becomes your development plan.",
    ),
    App(
        "manager.ipynb",
        "Career conversations: the manager's course",
        "Managers in the coaching programme",
        "Lessons, practice scenarios, your conversation planner and the comfort and skill check.",
    ),
    App(
        "lesson-why.ipynb",
        "Lesson 1: Why career conversations matter",
        "Managers in the coaching programme",
        "What is at stake when managers stay silent about careers, and what usually holds them back.",
    ),
    App(
        "lesson-practices.ipynb",
        "Lesson 2: The practices of a good career conversation",
        "Managers in the coaching programme",
        "Frame, run and follow up a career conversation; practise on three realistic scenarios.",
    ),
    App(
        "lesson-preparing.ipynb",
        "Lesson 3: Helping your team member prepare",
        "Managers in the coaching programme",
        "The preparation outline you can share, and how to help when someone arrives unsure.",
    ),
    App(
        "evaluator.ipynb",
        "Programme evaluation",
        "Evaluators",
        "Before-and-after analysis of comfort and skill, with every figure defined.",
    ),
)


def available_apps() -> list[App]:
    """The apps whose notebook is present."""
    return [app for app in APPS if (NOTEBOOKS / app.notebook).exists()]
