"""Input errors of financial assistance: every problem names its field (Swedish messages)."""

from __future__ import annotations


class InputError(ValueError):
    """Invalid household or calculation facts. ``errors`` is a list of (field, message), e.g.
    ``("members[2].age", "saknas; ålder i hela år krävs för barn")``; nothing is computed."""

    def __init__(self, errors: list[tuple[str, str]]):
        self.errors = list(errors)
        super().__init__("\n".join(f"{field}: {message}" for field, message in self.errors))

    @property
    def fields(self) -> list[str]:
        return [field for field, _ in self.errors]
