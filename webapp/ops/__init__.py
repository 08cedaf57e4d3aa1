"""Operations: health and readiness, JSON logs, Prometheus metrics, backups, the schema's migration state."""
