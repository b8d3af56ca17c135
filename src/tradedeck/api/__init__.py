"""JSON API v1: error format, authentication (session, JWT, API keys) and OpenAPI docs."""
