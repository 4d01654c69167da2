"""One module per role: a function from typed input to typed output."""
