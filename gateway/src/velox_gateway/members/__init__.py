"""Members of an account: list, add by email, change roles, remove."""
