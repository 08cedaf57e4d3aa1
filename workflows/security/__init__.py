"""Security of personal data and the security log: resident ID numbers encrypted at rest with a keyed blind
index (pii), who may see them in full (exposure), and the security log every reveal is written to (log)."""
