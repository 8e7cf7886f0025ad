"""Partner webhooks: subscriptions per event type, a delivery per event and subscription
made from the commerce stream, sent signed (Standard Webhooks) and retried for about a day.

- :mod:`.catalogue`: the public event types and the body partners receive.
- :mod:`.signing`: secrets and ``webhook-signature``.
- :mod:`.fanout`: the stream consumer turning commerce events into deliveries.
- :mod:`.dispatcher`: the worker sending due deliveries with backoff.
- :mod:`.endpoints`, :mod:`.service`, :mod:`.repository`: the API.
"""
