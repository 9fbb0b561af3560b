"""The review app's pages, one module per area: `login`, `ratings` (the training queue and items),
`validation` (the validation queue and meeting scores), `agreement` (and the codebook), `speakers`,
`editor` (transcript corrections), `audio`; `base` holds what they share.
"""
