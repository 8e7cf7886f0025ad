"""Transactional emails: queued with the order change, sent by the mail worker."""
