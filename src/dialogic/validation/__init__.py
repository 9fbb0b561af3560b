"""Validation of the tagger against human raters on each study's own meetings (issue #11)."""
