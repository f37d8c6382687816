"""Test helpers: real servers and sources controlled by the tests."""
