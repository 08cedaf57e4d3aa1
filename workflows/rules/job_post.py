"""Job post / occupation matching (rule R2): is a trainee's job post the trained occupation?

A heuristic over the catalogue's name, aliases and typical job posts (see ``job_post_match``). Pure
functions, no I/O.
"""

from __future__ import annotations

import re
import unicodedata

from workflows.rules.ids import Occupation

# Bigrams shared by many unrelated posts; sharing only these says nothing about the occupation.
_GENERIC_BIGRAMS = frozenset(
    "操作 人员 技术 工程 管理 服务 系统 设备 生产 专员 助理 主管 经理 组长 班长 工人 员工 作业 岗位 "
    "高级 中级 初级 技工 普工 学徒 数控 机床 加工 维护 调试 中心 车间 一线".split()
)
# Role words that may follow the occupation in a post title ("焊工班长") without changing the trade.
_ROLE_SUFFIXES = ("组长", "班长", "领班", "主管", "师傅", "学徒", "助理", "岗")
_BRACKETED = re.compile(r"[(\[【].*?[)\]】]")
_NOISE = re.compile(r"[\s\-_/·.、,，;；:：]+")


def _norm_post(text: str) -> str:
    return _NOISE.sub("", unicodedata.normalize("NFKC", text or "")).lower()


def _tokens(text: str) -> set[str]:
    """Meaningful tokens: CJK bigrams not in the generic list, and ASCII words of 2+ letters (CNC, PLC)."""
    grams = {a + b for a, b in zip(text, text[1:], strict=False) if _is_cjk(a) and _is_cjk(b)}
    words = {w for w in re.findall(r"[a-z0-9]{2,}", text) if not w.isdigit()}
    return (grams - _GENERIC_BIGRAMS) | words


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def _terms(occupation: Occupation) -> list[str]:
    names = (occupation.name, *occupation.aliases, *occupation.job_posts)
    return [t for t in (_norm_post(n) for n in names) if t]


def _post_variants(job_post: str) -> set[str]:
    """The post as typed, without bracketed remarks, and without a trailing role word."""
    base = {_norm_post(job_post), _norm_post(_BRACKETED.sub("", unicodedata.normalize("NFKC", job_post)))}
    stripped = {v[: -len(s)] for v in base for s in _ROLE_SUFFIXES if v.endswith(s) and len(v) > len(s)}
    return {v for v in base | stripped if v}


def shared_job_post_tokens(job_post: str, occupation: Occupation) -> list[str]:
    """The meaningful tokens a post shares with the occupation's name, aliases and job posts."""
    post_tokens = _tokens(_norm_post(job_post))
    occupation_tokens: set[str] = set()
    for term in _terms(occupation):
        occupation_tokens |= _tokens(term)
    return sorted(post_tokens & occupation_tokens)


def job_post_match(job_post: str, occupation: Occupation) -> str:
    """Classify a trainee's job post against the trained occupation: 'match', 'likely' or 'mismatch'.

    Heuristic (after NFKC folding, lower-casing and removing spaces and punctuation); the catalogue's
    name, aliases and typical job posts are the "terms":

    * 'match' when the post (or the post without a bracketed remark, or without a trailing role word
      such as 组长/班长/学徒) equals a term or ends with it ("数控车工", "高级焊工", "车工组长" all match
      车工), or contains a term of 4+ characters ("CNC数控车床操作工（夜班）"). Ending, not containing,
      for short terms, so that "汽车工艺员" does not match 车工.
    * 'likely' when post and terms share a meaningful token: two consecutive CJK characters that are
      not a generic word (操作, 管理, 数控, 设备 ...), or an ASCII word such as CNC or PLC.
    * 'mismatch' otherwise, including an empty post.
    """
    variants = _post_variants(job_post)
    if not variants:
        return "mismatch"
    for term in _terms(occupation):
        for post in variants:
            if post == term or post.endswith(term) or (len(term) >= 4 and term in post):
                return "match"
    return "likely" if shared_job_post_tokens(job_post, occupation) else "mismatch"
