"""Admin console: users, access keys, audit and access logs (admin-core); dashboard,
instruments and candles (admin-market). Pages under /admin, JSON under /api/v1/admin."""
