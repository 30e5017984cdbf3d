"""The one exception type for user mistakes: the CLI prints its message as `error: ...` and exits with 2."""


class UserError(Exception):
    """A problem with the user's input (a file, an option) described in one line.

    Raise it with a message that names the file or option and says what was expected; never for
    programming errors, which should surface with their traceback.
    """

    def __init__(self, message: str) -> None:
        # One line, always: the CLI contract is `error: <one line>`.
        super().__init__(" ".join(str(message).split()))


class RunInterrupted(Exception):
    """A run stopped by SIGINT/SIGTERM after saving its checkpoint and partial results; the CLI prints the
    message (how to resume) and exits with `exit_status` (130 for SIGINT, 143 for SIGTERM)."""

    def __init__(self, message: str, exit_status: int) -> None:
        super().__init__(message)
        self.exit_status = exit_status
