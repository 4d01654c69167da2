class ReportError(Exception):
    """The CSV cannot be reported on; the message names the line."""
