"""Who reads a resident ID number in full (SPEC section 2, PIPL / GB/T 35273).

Masked (``4401**********0011``) by default for every reader. In full only:
* for the enterprise's own clerk while the filing may be edited (draft or returned), in the edit form and its
  API, so the clerk can check what was typed;
* for a district reviewer (own district) or city staff who asks for one case's numbers explicitly (a button,
  ``?reveal=id_numbers``): every such reveal is written to the security log (``id_reveal``).
The system administrator sees no business personal data: names and ID numbers masked, reveal refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from workflows import cases
from workflows.dto import Actor
from workflows.errors import Forbidden, NotFound
from workflows.filings.status import edit_task
from workflows.filings.use_cases import filing_of
from workflows.models import Filing, Trainee, User
from workflows.rules.ids import mask_id_number
from workflows.security import log

REVEAL_ROLES = frozenset({"district", "city"})
REVEAL_ACTION = "id_reveal"
REVEAL_PARAM = "id_numbers"  # the API's ?reveal= value


@dataclass(frozen=True)
class PersonShown:
    """A trainee's name and ID number as this reader may see them."""

    name: str
    id_number: str
    full: bool


def mask_name(name: str) -> str:
    """First character kept, the rest ``*`` (张伟 -> 张*)."""
    name = (name or "").strip()
    return name[:1] + "*" * max(len(name) - 1, 0)


def may_reveal(actor: Actor) -> bool:
    return actor.role in REVEAL_ROLES


def editing_own(session: Session, actor: Actor, filing: Filing) -> bool:
    """The enterprise's clerk and its own filing that may be edited now (draft or returned)."""
    return (actor.role == "enterprise" and actor.enterprise_id is not None
            and filing.enterprise_id == actor.enterprise_id and filing.instance_id is not None
            and edit_task(session, filing.instance_id) is not None)


def shown(actor: Actor, trainees: Sequence[Trainee], full: bool) -> list[PersonShown]:
    """Each trainee as ``actor`` sees them: in full when ``full`` (decided by ``editing_own`` or a logged
    ``reveal``), else the ID number masked; for the administrator the name is masked as well."""
    if actor.role == "admin":
        return [PersonShown(mask_name(t.name), mask_id_number(t.id_number), False) for t in trainees]
    if full:
        return [PersonShown(t.name, t.id_number, True) for t in trainees]
    return [PersonShown(t.name, mask_id_number(t.id_number), False) for t in trainees]


def reveal_id_numbers(session: Session, actor: Actor, instance_id: int, address: str) -> Filing:
    """A district reviewer or city staff member reveals the full ID numbers of one filing case in their scope:
    written to the security log (who, from where, which case, how many numbers), committed, then returned.
    NotFound out of scope; Forbidden for any other role."""
    with cases.unit_of_work(session):
        instance = cases.get_case(session, actor, instance_id)
        if instance.kind != "filing":
            raise NotFound("该案件没有学员信息。")
        if not may_reveal(actor):
            raise Forbidden("只有区人社局审核人员和市职业能力建设指导中心工作人员可以查看完整的身份证号码。")
        filing = filing_of(session, instance)
        user = session.get(User, actor.id)
        log.record(session, REVEAL_ACTION, user_id=actor.id, username=user.username if user else actor.name,
                   address=address, target=f"case:{instance.business_key}",
                   detail={"case_id": instance.id, "filing_id": filing.id, "count": len(filing.trainees)})
    return filing
