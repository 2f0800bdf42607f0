"""Bill statements: what the city mails for every bill, as one mailing PDF per billing run.

    data.py      what a statement prints, read from the database for many bills at once
    render.py    statements to PDF, with the notices' renderer and the statement's template
    batch.py     a run's mailing PDF and postal summary; one bill's PDF (reprint, e-bill)

The stub's scan line (account number and amount due) is engine.money.scanline, which the
lockbox import reads back.
"""
