"""Training projects on the web: the public notices of subsidy claims (公示, no sign-in) with objections."""
