"""The 1:1 page's words (`conversation.yaml`): its title and introduction for each side, and the prompts
the manager sees during the conversation, one group per practice of the course (listen, offer perspective,
offer organisational support), in our own words."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, model_validator

from workbook.content.base import Ident, Strict, Text, load

# The practices the prompts follow, in the order the manager meets them; the page relies on all three.
PRACTICES: tuple[str, ...] = ("listen", "perspective", "support")


class PromptGroup(Strict):
    id: Ident
    title: Annotated[str, Field(min_length=1, max_length=120)]
    intro: Text
    prompts: list[Text] = Field(min_length=1, max_length=8)


class ConversationGuide(Strict):
    title: Annotated[str, Field(min_length=1, max_length=120)]
    member_intro: Text
    manager_intro: Text
    prompts: list[PromptGroup]

    @model_validator(mode="after")
    def _one_group_per_practice(self) -> ConversationGuide:
        ids = [group.id for group in self.prompts]
        if ids != list(PRACTICES):
            raise ValueError(f"prompts: expected one group for each of {list(PRACTICES)} in order, got {ids}")
        return self


CONVERSATION_FILES = {"conversation.yaml": ConversationGuide}


def conversation_guide(folder: Path | None = None) -> ConversationGuide:
    return load("conversation.yaml", ConversationGuide, folder)
