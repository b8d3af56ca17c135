"""Audit log of admin actions and access log of sign-ins, sign-outs and API-key use."""
