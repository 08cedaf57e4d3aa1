"""encrypt resident ID numbers at rest (issue 11b)

The plain ``trainee.id_number`` column and its index go; ``id_number_cipher`` (AES-GCM, the key from
PII_KEY / PII_KEY_FILE, see workflows.security.pii) and ``id_number_index`` (keyed HMAC blind index, indexed)
take their place. Existing rows are encrypted with the configured key during the upgrade, so the key must
be configured (``flask --app webapp db upgrade`` installs it, as the app does at start-up). On SQLite the
freed pages are overwritten (secure_delete) so no plain number is left in the file. On PostgreSQL, run
``VACUUM FULL trainee`` afterwards to discard the old row versions.

Revision ID: 11b1c0ffee01
Revises: 15a7c0de0001 (re-chained after main's 13b5ca1e0001 at the merge of main; written against d9e1c58d09a5)
Create Date: 2026-12-03 12:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '11b1c0ffee01'
down_revision = '15a7c0de0001'
branch_labels = None
depends_on = None


def _keyring():
    from workflows.security import pii

    return pii.keyring()


def upgrade():
    ring = _keyring()
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute("PRAGMA secure_delete = ON")
    with op.batch_alter_table('trainee', schema=None) as batch_op:
        batch_op.add_column(sa.Column('id_number_cipher', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('id_number_index', sa.String(length=64), nullable=True))
    trainee = sa.table('trainee', sa.column('id', sa.Integer), sa.column('id_number', sa.String),
                       sa.column('id_number_cipher', sa.String), sa.column('id_number_index', sa.String))
    rows = bind.execute(sa.select(trainee.c.id, trainee.c.id_number)).all()
    for row_id, plain in rows:
        plain = (plain or "").strip().upper()
        bind.execute(trainee.update().where(trainee.c.id == row_id).values(
            id_number="",
            id_number_cipher=ring.encrypt(plain) if plain else "",
            id_number_index=ring.blind_index(plain) if plain else ""))
    with op.batch_alter_table('trainee', schema=None) as batch_op:
        batch_op.drop_index('ix_trainee_id_number')
        batch_op.drop_column('id_number')
        batch_op.alter_column('id_number_cipher', existing_type=sa.String(length=200), nullable=False)
        batch_op.alter_column('id_number_index', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_index(batch_op.f('ix_trainee_id_number_index'), ['id_number_index'], unique=False)


def downgrade():
    ring = _keyring()
    bind = op.get_bind()
    with op.batch_alter_table('trainee', schema=None) as batch_op:
        batch_op.add_column(sa.Column('id_number', sa.String(length=18), nullable=True))
    trainee = sa.table('trainee', sa.column('id', sa.Integer), sa.column('id_number', sa.String),
                       sa.column('id_number_cipher', sa.String))
    for row_id, token in bind.execute(sa.select(trainee.c.id, trainee.c.id_number_cipher)).all():
        bind.execute(trainee.update().where(trainee.c.id == row_id).values(
            id_number=ring.decrypt(token) if token else ""))
    with op.batch_alter_table('trainee', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trainee_id_number_index'))
        batch_op.drop_column('id_number_index')
        batch_op.drop_column('id_number_cipher')
        batch_op.alter_column('id_number', existing_type=sa.String(length=18), nullable=False)
        batch_op.create_index('ix_trainee_id_number', ['id_number'], unique=False)
