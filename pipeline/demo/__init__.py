"""`factory demo`: a bundled sample project, the script of what a capable model would do for
it, and the scripted model server that plays it over the real HTTP protocol.

May import: core."""
