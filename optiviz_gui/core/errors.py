"""The one error type the core raises for bad input: its message is one sentence for a person."""


class ConfigError(ValueError):
    """A session, surface, optimizer setting or data file that cannot be used.

    The message is one sentence that names the key (or line) and the problem,
    ready to show in a status bar, a dialog or on stderr.
    """
