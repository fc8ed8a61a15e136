"""Test harness for the members gateway: a real nginx, and a stub standing in for oauth2-proxy."""
