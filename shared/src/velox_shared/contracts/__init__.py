"""Wire contracts between services: pydantic models (and the plan catalogue they describe)."""
