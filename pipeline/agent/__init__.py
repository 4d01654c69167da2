"""The tool-using agent: its loop, its tools, and the model layer over litellm."""
