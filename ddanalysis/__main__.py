"""``python -m ddanalysis``: the same as the ``ddanalysis`` command."""

from .cli import main

main()
