"""Bulk VIN jobs: jobs, their file rows, decode batches and results.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SCHEMA = "vin_intel"
TS = sa.DateTime(timezone=True)


def _int(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.Integer, nullable=False)


def _job_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["job_id"], [f"{SCHEMA}.jobs.id"], name=f"fk_{table}_job_id_jobs", ondelete="CASCADE"
    )


def _jobs() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("account_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("filename", sa.String(255)),
        sa.Column("file_format", sa.String(8), nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("idempotency_key", sa.String(255)),
        *(_int(name) for name in ("total_rows", "unique_vins", "duplicates", "rejected")),
        *(_int(name) for name in ("batch_size", "batches_total", "batches_done")),
        *(_int(name) for name in ("decoded", "valid", "invalid", "enriched")),
        sa.Column("error", sa.Text),
        sa.Column("created_at", TS, server_default=sa.func.now(), nullable=False),
        sa.Column("started_at", TS),
        sa.Column("finished_at", TS),
        sa.PrimaryKeyConstraint("id", name="pk_jobs"),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')",
            name="ck_jobs_status",
        ),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_jobs_account_created", "jobs", ["account_id", "created_at", "id"], schema=SCHEMA
    )
    op.create_index(
        "uq_jobs_account_idempotency_key",
        "jobs",
        ["account_id", "idempotency_key"],
        unique=True,
        postgresql_where=sa.text("idempotency_key IS NOT NULL"),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_jobs_active",
        "jobs",
        ["created_at"],
        postgresql_where=sa.text("status IN ('queued', 'running')"),
        schema=SCHEMA,
    )


def _children() -> None:
    op.create_table(
        "job_rows",
        sa.Column("job_id", sa.String(40), nullable=False),
        _int("chunk_no"),
        sa.Column("account_id", sa.String(64), nullable=False),
        sa.Column("row_nos", ARRAY(sa.Integer), nullable=False),
        sa.Column("seqs", ARRAY(sa.Integer), nullable=False),
        sa.Column("vals", ARRAY(sa.Text), nullable=False),
        sa.Column("rejections", ARRAY(sa.Text), nullable=False),
        sa.PrimaryKeyConstraint("job_id", "chunk_no", name="pk_job_rows"),
        _job_fk("job_rows"),
        schema=SCHEMA,
    )
    op.create_table(
        "job_batches",
        sa.Column("job_id", sa.String(40), nullable=False),
        _int("batch_no"),
        sa.Column("account_id", sa.String(64), nullable=False),
        _int("first_seq"),
        sa.Column("vins", ARRAY(sa.Text), nullable=False),
        _int("attempts"),
        sa.Column("last_error", sa.Text),
        sa.Column("done_at", TS),
        sa.PrimaryKeyConstraint("job_id", "batch_no", name="pk_job_batches"),
        _job_fk("job_batches"),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_job_batches_pending",
        "job_batches",
        ["job_id", "batch_no"],
        postgresql_where=sa.text("done_at IS NULL"),
        schema=SCHEMA,
    )
    op.create_table(
        "job_results",
        sa.Column("job_id", sa.String(40), nullable=False),
        _int("seq"),
        sa.Column("account_id", sa.String(64), nullable=False),
        sa.Column("vin", sa.String(17), nullable=False),
        sa.Column("result", JSONB, nullable=False),
        sa.PrimaryKeyConstraint("job_id", "seq", name="pk_job_results"),
        _job_fk("job_results"),
        schema=SCHEMA,
    )


def upgrade() -> None:
    _jobs()
    _children()


def downgrade() -> None:
    for table in ("job_results", "job_batches", "job_rows", "jobs"):
        op.drop_table(table, schema=SCHEMA)
