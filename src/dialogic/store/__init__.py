"""Every write to the database, and the one rule for what follows it.

No module outside this package executes an INSERT, UPDATE or DELETE, or creates or drops a table
(`tests/test_store_owns_writes.py` reads the sources to keep it so); the schema migrations stay in
`dialogic.db`, which opens the database. One module per concern:

meetings     a processed or imported meeting, its manifest record and its run
facts        the analytics fact tables the views read
derived      what follows any change: facts refreshed, tags redone where their input changed
speakers     speaker → participant mappings, and merging two speakers
corrections  transcript corrections, their replay onto a new machine transcript
consent      withdrawal of a meeting or a participant
tags         tag rows and the tagger register
ratings      human ratings of tags
raters       raters, their passwords and sessions
validation   the validation study's samples, reference transcripts and settings

Writers run inside the caller's `dialogic.db.transaction` unless their docstring says they open
one; readers are free to live anywhere.
"""
