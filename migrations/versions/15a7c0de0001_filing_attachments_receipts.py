"""filing attachments, receipt codes, creation tokens, required attachment kinds (issue 15)

Revision ID: 15a7c0de0001
Revises: 13b5ca1e0001
Create Date: 2026-12-03 12:40:00

"""
import secrets

import sqlalchemy as sa
from alembic import op

import workflows.db

# revision identifiers, used by Alembic.
revision = '15a7c0de0001'
down_revision = '13b5ca1e0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('filing_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('filing_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('format', sa.String(length=10), nullable=False),
    sa.Column('mime', sa.String(length=100), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('thumb_name', sa.String(length=64), nullable=True),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by', sa.Integer(), nullable=True),
    sa.Column('created_at', workflows.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['filing_id'], ['filing.id'], name=op.f('fk_filing_attachment_filing_id_filing'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by'], ['user_account.id'], name=op.f('fk_filing_attachment_uploaded_by_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_filing_attachment')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_filing_attachment_stored_name'))
    )
    with op.batch_alter_table('filing_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_filing_attachment_filing_id'), ['filing_id'], unique=False)

    with op.batch_alter_table('filing', schema=None) as batch_op:
        batch_op.add_column(sa.Column('creation_token', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('receipt_code', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint('uq_filing_creation_token', ['enterprise_id', 'creation_token'])
        batch_op.create_unique_constraint(batch_op.f('uq_filing_receipt_code'), ['receipt_code'])

    with op.batch_alter_table('policy_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('required_attachments', sa.JSON(), nullable=True))

    # Every existing filing gets its unguessable verification code.
    connection = op.get_bind()
    filing = sa.table('filing', sa.column('id', sa.Integer()), sa.column('receipt_code', sa.String()))
    for (filing_id,) in connection.execute(sa.select(filing.c.id)).all():
        connection.execute(filing.update().where(filing.c.id == filing_id)
                           .values(receipt_code=secrets.token_urlsafe(24)))


def downgrade():
    with op.batch_alter_table('policy_version', schema=None) as batch_op:
        batch_op.drop_column('required_attachments')

    with op.batch_alter_table('filing', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_filing_receipt_code'), type_='unique')
        batch_op.drop_constraint('uq_filing_creation_token', type_='unique')
        batch_op.drop_column('receipt_code')
        batch_op.drop_column('creation_token')

    with op.batch_alter_table('filing_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_filing_attachment_filing_id'))

    op.drop_table('filing_attachment')
