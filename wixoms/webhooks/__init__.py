"""Webhooks at /hooks: receive (verify + durable inbox), process (the worker), reconcile."""
