"""Small tools for Markdown files."""
