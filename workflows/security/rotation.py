"""Key rotation for the resident ID numbers (``flask --app webapp pii rotate-key``): every ciphertext is
re-encrypted under the new key and every blind index recomputed with it, in one transaction (all or
nothing), then the new key becomes the one in use."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from workflows.cases import unit_of_work
from workflows.models import Trainee
from workflows.security import pii


@dataclass(frozen=True)
class Rotation:
    """What a rotation did: rows re-encrypted, and the ids of the old and new keys."""

    rows: int
    old_key_ids: tuple[str, ...]
    new_key_id: str


def rotate(session: Session, new_master: bytes, old_masters: Sequence[bytes]) -> Rotation:
    """Re-encrypt every stored ID number with ``new_master`` (values under any of ``old_masters`` or already
    under the new key are read) and recompute the blind indexes. PiiKeyError, with nothing changed, when a
    value was encrypted with a key not given."""
    ring = pii.make_keyring(new_master, old_masters)
    count = 0
    with unit_of_work(session):
        rows = session.execute(select(Trainee.id, Trainee.id_number_cipher).order_by(Trainee.id)).all()
        for row_id, token in rows:
            if not token:
                continue
            plain = ring.decrypt(token)
            session.execute(update(Trainee).where(Trainee.id == row_id).values(
                id_number_cipher=ring.encrypt(plain), id_number_index=ring.blind_index(plain)))
            count += 1
        session.expire_all()
    pii.install(new_master)
    return Rotation(count, tuple(k.key_id for k in ring.previous), ring.primary.key_id)
