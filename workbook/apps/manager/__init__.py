"""The manager's home: lessons, the comfort and skill check, their own before and after, their reaction to
the programme, the conversation planner and the log of conversations held. One module per tab; the
home page puts them together."""

from workbook.apps.manager.home import TITLE, ManagerHome, manager_app

__all__ = ["TITLE", "ManagerHome", "manager_app"]
