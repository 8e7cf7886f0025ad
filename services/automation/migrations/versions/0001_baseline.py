"""Baseline of the automation schema: the event outbox and processed-event ids.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from velox_shared.migrations import create_event_tables_v1, drop_event_tables_v1

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_event_tables_v1("automation")


def downgrade() -> None:
    drop_event_tables_v1("automation")
