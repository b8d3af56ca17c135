"""Accounts: users, roles, preferences, one-time access keys and personal API keys."""
