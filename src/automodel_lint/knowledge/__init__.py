"""transformers' own tables, as data: which model types each Auto class accepts and what it loads.

API (used by the rules and the CLI):
    installed_transformers_version() -> str | None   # importlib.metadata, never an import of transformers
    bundled_tables() -> list[KnowledgeTable]          # the tables shipped in knowledge/data/, oldest first
    current_table(cache_dir=None) -> KnowledgeTable   # the installed version's table (generated from its
                                                      # source, cached on disk by version), else the newest bundled
"""

from automodel_lint.knowledge.table import KnowledgeTable, TableError  # noqa: F401
