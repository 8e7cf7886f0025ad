"""Returns (RMAs): request, approve or reject, receive and restock, refund."""
