"""The one exception a verb raises for bad input: the CLI prints it as one line."""


class UserError(Exception):
    """Bad input from the user: reported as one line, exit status 2."""
