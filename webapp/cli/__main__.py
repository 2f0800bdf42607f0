"""`python -m webapp.cli ...`: the same command line as `ordinance ...`."""
from webapp.cli import main

main(prog_name="ordinance")
