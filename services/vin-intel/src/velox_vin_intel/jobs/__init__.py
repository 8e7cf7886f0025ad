"""Bulk VIN jobs: upload parsing, job tables, the resumable worker, result downloads."""
