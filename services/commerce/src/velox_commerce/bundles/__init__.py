"""Bundles: a variant made of other variants of its store, its stock derived from theirs."""
