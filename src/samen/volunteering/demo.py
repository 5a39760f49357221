from samen.core.models import Municipality


def load(municipality: Municipality) -> None:
    """Demo content of this capability for one municipality (called inside its scope)."""
