"""Every response carries the security headers; pages may load scripts only from this site."""


def test_pages_carry_security_headers(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/login")
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
