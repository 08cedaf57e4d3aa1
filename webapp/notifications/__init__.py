"""In-app notifications (站内信): inbox, mark read, the bell count."""
