"""Velox Automation: Spreadsheet jobs, quizzes and assessments, file processing."""

NAME = "automation"
SCHEMA = "automation"
API_PREFIX = "/v1/automation"
