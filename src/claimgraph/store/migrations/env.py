"""Alembic environment: runs migrations on the connection the store hands over."""

from alembic import context

from claimgraph.store.schema import metadata

# The full-text index (0007_search) lives outside schema.metadata: SQLite's FTS5 virtual
# tables documents_fts / claims_fts, the shadow tables FTS5 creates for them
# (claims_fts_data, _idx, _content, _docsize, _config), our *_fts_keys tables, and
# PostgreSQL's GIN expression indexes ix_fts_*. Autogenerate must neither drop them nor
# try to reflect a virtual table; tests/test_store.py applies the same filter.
FTS_PREFIXES = ("documents_fts", "claims_fts", "ix_fts_")


def include_name(name, type_, parent_names) -> bool:  # noqa: ANN001 - alembic's hook signature
    return not (name and (name.endswith("_fts") or name.startswith(FTS_PREFIXES)))


def include_object(obj, name, type_, reflected, compare_to) -> bool:  # noqa: ANN001
    return include_name(name, type_, {})


connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
    include_name=include_name,
    include_object=include_object,
)
with context.begin_transaction():
    context.run_migrations()
