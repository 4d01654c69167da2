"""`factory demo`: a bundled sample project and a scripted model that builds a feature in it."""
