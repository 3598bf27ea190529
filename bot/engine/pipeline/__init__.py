"""One message's life as stages, each taking and returning a frozen value:

    admit    (admit.py)    an inbox entry → an Admission, or the Refused outcome that answers it
    prepare  (prepare.py)  the admission, its read media and conversation → the model's TurnInput
    run      (run.py)      the turn on the backend → Ran (a lost conversation replaced once)
    settle   (settle.py)   Ran and its ledger row → Settled: what the user reads (pure)
    deliver  (deliver.py)  Settled → the chat, then the inbox's bookkeeping

`engine/answering.py` strings them together; the decisions in each stage are pure functions
with unit tests of their own (tests/unit/test_pipeline.py).
"""
