"""Helpers shared by the test folders: spec factory, catalogue copies, test servers and an
in-memory portal for the fast release tests."""
