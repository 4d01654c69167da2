"""Foundations every other package stands on: the error family (exit codes), the one
subprocess helper, inert git on real repositories, and text hygiene at the trust boundary.

May import: nothing else of pipeline."""
