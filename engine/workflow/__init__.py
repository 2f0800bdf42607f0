"""Workflows (WORKFLOW-FORMAT.md): definitions read from workflows/*.yaml, and the runtime that walks cases.

    definitions  read a folder of definitions, keyed by (id, version)   checks   every check, file:line
    model        the definition once read                               forms    form field types
    facts        the documented facts per subject type                  guards   judging a step, explained
    values       dates and values `set:` gives                          letters  the data of a notice
    actions/     fee, notice, set, open, refund, write_off, reverse    runtime  open, steps, take (all or nothing)
                 (one module each, listed in actions/__init__.py)      context  the step being taken (what actions use)
    services     what the web UI, the command line and the sweeps call
"""
