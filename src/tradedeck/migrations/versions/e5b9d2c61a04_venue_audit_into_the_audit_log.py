"""venue audit entries move into the audit log

Revision ID: e5b9d2c61a04
Revises: 66afc48f78fa
Create Date: 2026-12-04 06:45:00.000000

Every `venue_audit_entries` row becomes an `audit_entries` row (action `venue.<action>`,
target `venue` with its id and code, the summary in `after`, the same actor, user id and
time), then the old table is dropped. The downgrade recreates it from the `venue.` rows.
"""

import sqlalchemy as sa
from alembic import op

import tradedeck.database

# revision identifiers, used by Alembic.
revision = "e5b9d2c61a04"
down_revision = "66afc48f78fa"
branch_labels = None
depends_on = None

PREFIX = "venue."
venues = sa.table("venues", sa.column("id", sa.Integer), sa.column("code", sa.String))
old = sa.table(
    "venue_audit_entries",
    sa.column("id", sa.Integer),
    sa.column("venue_id", sa.Integer),
    sa.column("action", sa.String),
    sa.column("actor", sa.String),
    sa.column("user_id", sa.Integer),
    sa.column("summary", sa.Text),
    sa.column("created_at", tradedeck.database.UTCDateTime(timezone=True)),
    sa.column("updated_at", tradedeck.database.UTCDateTime(timezone=True)),
)
log = sa.table(
    "audit_entries",
    sa.column("id", sa.Integer),
    sa.column("actor_id", sa.Integer),
    sa.column("actor", sa.String),
    sa.column("action", sa.String),
    sa.column("target_type", sa.String),
    sa.column("target_id", sa.String),
    sa.column("target_label", sa.String),
    sa.column("before", sa.JSON),
    sa.column("after", sa.JSON),
    sa.column("created_at", tradedeck.database.UTCDateTime(timezone=True)),
    sa.column("updated_at", tradedeck.database.UTCDateTime(timezone=True)),
)


def upgrade():
    bind = op.get_bind()
    codes = dict(bind.execute(sa.select(venues.c.id, venues.c.code)).all())
    rows = bind.execute(sa.select(old).order_by(old.c.id)).all()
    for row in rows:
        bind.execute(
            log.insert().values(
                actor_id=row.user_id,
                actor=row.actor,
                action=PREFIX + row.action,
                target_type="venue",
                target_id=str(row.venue_id),
                target_label=codes.get(row.venue_id, ""),
                before=None,
                after={"summary": row.summary},
                created_at=row.created_at,
                updated_at=row.updated_at,
            )
        )
    with op.batch_alter_table("venue_audit_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_venue_audit_entries_venue_id"))
    op.drop_table("venue_audit_entries")


def downgrade():
    op.create_table(
        "venue_audit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("venue_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            tradedeck.database.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            tradedeck.database.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_venue_audit_entries_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["venue_id"],
            ["venues.id"],
            name=op.f("fk_venue_audit_entries_venue_id_venues"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_venue_audit_entries")),
    )
    with op.batch_alter_table("venue_audit_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_venue_audit_entries_venue_id"), ["venue_id"], unique=False
        )
    bind = op.get_bind()
    users = {id_ for (id_,) in bind.execute(sa.text("SELECT id FROM users"))}
    venue_ids = {id_ for (id_,) in bind.execute(sa.select(venues.c.id))}
    rows = bind.execute(
        sa.select(log).where(log.c.action.startswith(PREFIX), log.c.target_type == "venue")
    ).all()
    for row in rows:
        venue_id = int(row.target_id)
        if venue_id not in venue_ids:
            continue
        bind.execute(
            old.insert().values(
                venue_id=venue_id,
                action=row.action.removeprefix(PREFIX),
                actor=row.actor,
                user_id=row.actor_id if row.actor_id in users else None,
                summary=(row.after or {}).get("summary", ""),
                created_at=row.created_at,
                updated_at=row.updated_at,
            )
        )
