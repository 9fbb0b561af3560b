"""Corrections of a meeting's transcript by a person: who said it, what was said, where an
utterance starts and ends.

- `edits`: the five kinds of correction as pure functions over a meeting's utterances and words;
- `word_errors`: the word error rate of the machine transcript against the corrected one;
- `replay`: carrying corrections onto a new machine transcript of the same meeting;
- `dialogic.store.corrections`: the database side — every correction one transaction that appends a
  revision, rewrites the meeting's utterances and words, re-tags what changed and refreshes the
  facts.

The ``utterances`` and ``words`` tables always hold the current (corrected) transcript, so every
view and export reads it; ``machine_utterances`` and ``machine_words`` keep what the models said.
"""
