"""全市概览: the city dashboard (SPEC R3-R6, R12); district reviewers see their own district's version."""
