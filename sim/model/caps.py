"""Default caseload caps by experience level (cases per worker), where a scenario sets none."""

DEFAULT_CAPS: dict[str, float] = {"nqsw": 15.0, "sw": 20.0, "senior": 18.0}
