"""``python -m openai_async``: the command line (``openai-async --help``)."""

from .cli import main

main()
