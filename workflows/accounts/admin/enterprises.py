"""Enterprise profiles (city staff and admins): list and search, one profile, create or update (name,
credit code, district, size class, tags, contact), the warning when a credit code registered outside
Guangzhou is assigned to a district, and the enterprise names the pickers and lists show.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.accounts.admin.access import require
from workflows.cases import unit_of_work
from workflows.dto import Actor
from workflows.errors import NotFound, ValidationFailed
from workflows.models import DISTRICTS, Enterprise
from workflows.models.org import ENTERPRISE_TAGS, SIZE_CLASSES
from workflows.rules import ids
from workflows.security import log


@dataclass
class EnterpriseInput:
    name: str
    credit_code: str
    district_code: str
    size_class: str
    tags: list[str]
    contact_name: str = ""
    contact_phone: str = ""


def list_enterprises(session: Session, actor: Actor, district: str = "", q: str = "", tag: str = ""
                     ) -> list[Enterprise]:
    require(actor, "city", "admin")
    stmt = select(Enterprise)
    if district:
        stmt = stmt.where(Enterprise.district_code == district)
    if q.strip():
        like = f"%{q.strip()}%"
        stmt = stmt.where(Enterprise.name.like(like) | Enterprise.credit_code.like(like))
    rows = list(session.scalars(stmt.order_by(Enterprise.district_code, Enterprise.name)))
    return [e for e in rows if tag in (e.tags or [])] if tag else rows


def get_enterprise(session: Session, actor: Actor, enterprise_id: int) -> Enterprise:
    require(actor, "city", "admin")
    enterprise = session.get(Enterprise, enterprise_id)
    if enterprise is None:
        raise NotFound("未找到该企业。")
    return enterprise


def district_assignment_warning(credit_code: str, district_code: str) -> str | None:
    """The warning an admin sees when assigning to a Guangzhou district an enterprise whose credit code
    was issued outside Guangzhou (its area code is not 4401xx): None when the code is in Guangzhou or invalid."""
    code = ids.normalize_credit_code(credit_code)
    if ids.credit_code_error(code):
        return None
    area = ids.credit_code_area(code)
    if ids.is_guangzhou_area(area):
        return None
    district = DISTRICTS.get(district_code, district_code)
    return (f"注意：该企业统一社会信用代码中的登记地行政区划码为{area}，不在广州市（4401），"
            f"现已分配到{district}。请核实企业是否在本市登记或在本区设有分支机构；其备案审核时也会提示。")


def save_enterprise(session: Session, actor: Actor, data: EnterpriseInput, enterprise_id: int | None = None
                    ) -> Enterprise:
    """Create an enterprise or update its profile (size class, tags, contact; name and credit code)."""
    with unit_of_work(session):
        require(actor, "city", "admin")
        enterprise = None
        if enterprise_id is not None:
            enterprise = session.get(Enterprise, enterprise_id)
            if enterprise is None:
                raise NotFound("未找到该企业。")
        errors: dict[str, list[str]] = {}
        name = data.name.strip()
        if not name or len(name) > 200:
            errors["name"] = ["请填写企业名称（200字以内）"]
        code = ids.normalize_credit_code(data.credit_code)
        problem = ids.credit_code_error(code)
        if problem:
            errors["credit_code"] = [problem]
        else:
            other = session.scalar(select(Enterprise.id).where(Enterprise.credit_code == code))
            if other is not None and other != enterprise_id:
                errors["credit_code"] = ["该统一社会信用代码已登记"]
        if data.district_code not in DISTRICTS:
            errors["district_code"] = ["请选择所在区"]
        if data.size_class not in SIZE_CLASSES:
            errors["size_class"] = ["请选择企业规模"]
        bad_tags = [t for t in data.tags if t not in ENTERPRISE_TAGS]
        if bad_tags:
            errors["tags"] = [f"无效的企业标签：{'、'.join(bad_tags)}"]
        if len(data.contact_name.strip()) > 50:
            errors["contact_name"] = ["联系人不能超过50个字"]
        phone = data.contact_phone.strip()
        if phone and (len(phone) > 30 or not all(c.isdigit() or c in "-+ ()转" for c in phone)):
            errors["contact_phone"] = ["联系电话格式不正确"]
        if errors:
            raise ValidationFailed("企业信息有误，请修改标出的内容。", errors)
        if enterprise is None:
            enterprise = Enterprise(credit_code=code, district_code=data.district_code)
            session.add(enterprise)
        enterprise.name, enterprise.credit_code, enterprise.district_code = name, code, data.district_code
        enterprise.size_class = data.size_class
        enterprise.tags = [t for t in ENTERPRISE_TAGS if t in data.tags]
        enterprise.contact_name, enterprise.contact_phone = data.contact_name.strip(), phone
        session.flush()
        log.record_actor(session, actor, "enterprise_change", f"enterprise:{enterprise.id}",
                         {"created": enterprise_id is None, "name": name, "credit_code": code,
                          "district_code": data.district_code, "size_class": data.size_class,
                          "tags": enterprise.tags})
    return enterprise


def enterprise_names(session: Session) -> dict[int, str]:
    """Enterprise id -> 'name（district）' for pickers and lists."""
    return {e.id: f"{e.name}（{DISTRICTS.get(e.district_code, '')}）"
            for e in session.scalars(select(Enterprise).order_by(Enterprise.name))}
