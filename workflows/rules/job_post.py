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
# Words that may stand before the occupation's name or alias without naming another trade ("高级焊工",
# "数控车工", "CNC车工"). Anything else in front ("机修钳工", "工具钳工") names a different specialisation.
_QUALIFIERS = ("高级", "中级", "初级", "资深", "熟练", "实习", "见习", "学徒", "数控", "普通", "一线", "主操",
               "技术", "设备", "主", "副", "正")
_ASCII_QUALIFIER = re.compile(r"^[a-z0-9]+$")
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


def _is_qualifier(prefix: str) -> bool:
    """Whether ``prefix`` is made only of qualifier words (or is an ASCII word such as CNC)."""
    if _ASCII_QUALIFIER.match(prefix):
        return True
    rest = prefix
    while rest:
        word = next((q for q in sorted(_QUALIFIERS, key=len, reverse=True) if rest.startswith(q)), None)
        if word is None:
            return False
        rest = rest[len(word):]
    return True


def _whole_term_match(post: str, term: str) -> bool:
    """The post is the term as a whole word: equal, or the term preceded only by qualifier words."""
    return post == term or (post.endswith(term) and _is_qualifier(post[: -len(term)]))


def job_post_match(job_post: str, occupation: Occupation) -> str:
    """Classify a trainee's job post against the trained occupation: 'match', 'likely' or 'mismatch'.

    After NFKC folding, lower-casing and removing spaces and punctuation, the catalogue's name, aliases
    and typical job posts are the "terms"; each is matched as a whole word, never as a substring:

    * 'match' when the post (or the post without a bracketed remark, or without a trailing role word
      such as 组长/班长/学徒) equals a term, or is a term preceded only by qualifier words (高级, 数控,
      实习, CNC ...): "数控车工", "高级焊工", "车工组长" match 车工.
    * 'mismatch' when the post ends with a term but something else stands before it: another
      specialisation of the trade ("机修钳工" and "工具钳工" are not 装配钳工, although 钳工 is one of its
      aliases); and when post and terms share nothing meaningful, including an empty post.
    * 'likely' otherwise when post and terms share a meaningful token: two consecutive CJK characters
      that are not a generic word (操作, 管理, 数控, 设备 ...), or an ASCII word such as CNC or PLC.
    """
    variants = _post_variants(job_post)
    if not variants:
        return "mismatch"
    terms = _terms(occupation)
    if any(_whole_term_match(post, term) for term in terms for post in variants):
        return "match"
    if any(post.endswith(term) and post != term for term in terms for post in variants):
        return "mismatch"
    return "likely" if shared_job_post_tokens(job_post, occupation) else "mismatch"
