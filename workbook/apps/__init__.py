"""The Voila apps: each notebook in `notebooks/` calls one `*_app()` function from here."""
