"""Utterance tagging: the codebook, the seed corpus, the MiniLM-based classifiers and their store.

codebook   tag names, definitions and the worked examples of docs/codebook.md
corpus     labelled utterances: the seed corpus plus rater-confirmed labels from DuckDB
encoder    the all-MiniLM-L6-v2 encoder (offline weights, mean pooling)
train      the two recipes (frozen encoder + head, fine-tuned encoder), calibration, artifacts
evaluate   per-tag precision / recall / F1, macro-F1, calibration error
tagger     a trained artifact loaded for prediction (`load_tagger`)
tag_store  the tags rows of a meeting (`predict_tag_rows`; written by `dialogic.store.tags`)
"""

from dialogic.tagging.codebook import TAGS

__all__ = ["TAGS"]
