"""Career-conversation coaching workbook: content, store, apps and evaluation."""

__version__ = "0.1.0"


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    """The guards for serving the apps under a Jupyter server (see workbook.server.extension)."""
    return [{"module": "workbook.server.extension"}]
