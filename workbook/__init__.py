"""Career-conversation coaching workbook: content, store, apps and evaluation."""

__version__ = "0.1.0"
