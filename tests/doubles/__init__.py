"""Test doubles: the fake GitHub, the stub model (built on the demo's scripted server), the GitHub cycle imitation. Never installed with the factory."""
