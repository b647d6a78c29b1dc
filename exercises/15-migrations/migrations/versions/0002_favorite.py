"""A favourite mark on every bookmark: the column favorite, False for the rows already there.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # NOT NULL needs a value for the rows that exist: server_default gives them False.
    op.add_column("bookmarks", sa.Column("favorite", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("bookmarks") as batch:  # SQLite drops a column by copying the table
        batch.drop_column("favorite")
