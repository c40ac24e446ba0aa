"""Reliability and security tests: crash safety, concurrency, bad input, storage faults,
authentication, limits and the fuzz corpus (see Docs/reliability.md)."""
