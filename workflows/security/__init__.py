"""Security of personal data and the security log: resident ID numbers encrypted at rest with a keyed blind
index (pii), who may see them in full (exposure); the tamper-evident security log every sign-in, account change,
export and reveal is written to (log: record, list, export), the hash chains it and the case audit trail share
(chain), and verify (`flask audit verify`) that recomputes both chains.
"""
