"""The 1:1 page (`notebooks/conversation.ipynb`): a team member and their manager prepare, hold and follow
up one career 1:1 together. Views in `parts`, the page in `page`; the rules in `workbook.team`."""

from workbook.apps.conversation.page import ConversationApp, ConversationPage, conversation_app

__all__ = ["ConversationApp", "ConversationPage", "conversation_app"]
