"""instruments halted

Revision ID: 5b0c2e7d9a41
Revises: ff0df749d485
Create Date: 2026-12-04 05:58:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5b0c2e7d9a41"
down_revision = "ff0df749d485"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("instruments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("halted", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table("instruments", schema=None) as batch_op:
        batch_op.drop_column("halted")
