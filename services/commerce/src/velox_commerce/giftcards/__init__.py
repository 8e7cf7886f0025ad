"""Gift cards: prepaid balances a buyer redeems by code."""
