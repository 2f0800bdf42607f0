"""Background jobs: work a page asks for, done by the scheduler's worker while the page answers at once.

A job is a row in `jobs`: its kind, its input, its progress, then its result or its error.
`queue` puts jobs in and takes them out (a job is claimed by one worker only, and a done or
failed job is never run again); `worker` runs them; `kinds` says which function does each
kind of job, one module per kind (`rule_impact`, the first). Nothing here reads the clock:
the moment, or a clock to ask, comes in.
"""
