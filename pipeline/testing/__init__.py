"""Test doubles that speak real protocols: a scripted model server, a fake GitHub."""
