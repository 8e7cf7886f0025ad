"""Order notes: staff notes, some of them visible to the buyer."""
