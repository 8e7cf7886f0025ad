"""Decode history per account and the 90-day vPIC cache.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "decodes",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("account_id", sa.String(64), nullable=False),
        sa.Column("vin", sa.String(17), nullable=False),
        sa.Column("valid", sa.Boolean, nullable=False),
        sa.Column("make", sa.String(100)),
        sa.Column("model", sa.String(100)),
        sa.Column("model_year", sa.Integer),
        sa.Column("enrichment", sa.String(16), nullable=False),
        sa.Column("result", JSONB, nullable=False),
        sa.Column("created_at", TS, server_default=sa.func.now(), nullable=False),
    )
    op.create_index("ix_decodes_account_created", "decodes", ["account_id", "created_at", "id"])
    op.create_index("ix_decodes_account_vin", "decodes", ["account_id", "vin"])
    op.create_table(
        "vpic_cache",
        sa.Column("vin", sa.String(17), primary_key=True),
        sa.Column("record", JSONB, nullable=False),
        sa.Column("fetched_at", TS, server_default=sa.func.now(), nullable=False),
        sa.Column("expires_at", TS, nullable=False),
    )
    op.create_index("ix_vpic_cache_expires_at", "vpic_cache", ["expires_at"])


def downgrade() -> None:
    op.drop_table("vpic_cache")
    op.drop_table("decodes")
