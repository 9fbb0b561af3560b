"""The fidelity raters' review web app: confirm or correct the model's tags while listening.

``create_app(db_path)`` in :mod:`dialogic.review.app` builds the Starlette app that
`dialogic review` serves from the pages in :mod:`dialogic.review.views` (one module per area);
:mod:`~dialogic.review.agreement` computes inter-rater agreement.
"""
