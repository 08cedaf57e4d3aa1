"""Security: the tamper-evident security log (``log``: record, list, export), the hash chains it and the case
audit trail share (``chain``), and ``verify`` (`flask audit verify`) that recomputes both chains.
"""
