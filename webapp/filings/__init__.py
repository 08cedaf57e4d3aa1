"""Enterprise screens of the training filing (培训备案): my filings, new/edit form, withdraw."""
