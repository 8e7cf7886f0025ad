"""Local stack for Velox: embedded servers, provisioning and migrations, the supervisor."""
