"""Search (Tìm kiếm).

One search interface over documents, with an embedded backend and an Elasticsearch backend,
Vietnamese diacritic folding on index and query, and results trimmed to what the user may see. It
subscribes to document events to keep the index current. Filled by the search issue.
"""
