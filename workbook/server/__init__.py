"""The server side of the workbook: what `workbook serve` and the Jupyter server extension load.

`install` swaps Voila's page and kernel handlers for guarded ones, starts the kernel lifecycle and
keeps kernel ids out of INFO logs; `app.WorkbookVoila` is Voila with that installed (what
`workbook serve` runs in-process); `extension` does the same inside a Jupyter server (JupyterHub,
Binder, `jupyter server` with Voila as an extension). `page` runs inside a page's kernel.
Nothing here is imported by the apps except `page`, which is light.
"""
