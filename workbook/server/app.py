"""Voila with the workbook's guards: what `workbook serve` runs, in its own process."""

from __future__ import annotations

from voila.app import Voila

from workbook.server.install import install


class WorkbookVoila(Voila):
    """Standalone Voila whose page and kernel handlers are guarded before it starts listening."""

    name = "voila"  # read the same voila.json

    def listen(self) -> None:
        install(self.app, self.kernel_manager, self.log, strict=True)
        super().listen()


def serve(argv: list[str]) -> None:
    """Run the server in this process until it is stopped (a stop signal shuts the kernels down)."""
    WorkbookVoila.launch_instance(argv)
