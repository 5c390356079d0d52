"""Alembic environment: the store passes its open connection in `config.attributes`."""

from alembic import context

from workbook.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - the store always passes one
    raise RuntimeError("run migrations through workbook.store.Store, which passes a connection")

context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
