"""Orders: placement, history, payment capture, refunds, cancellation, fulfilment."""
