"""The REST API under /api/v1/: the same services and access rules as the web pages,
personal API tokens, errors as application/problem+json and cursor pagination."""
