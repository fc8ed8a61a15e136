"""One module a `kb` command: parse its options, call the core (or the plugin to build), print.

Nothing but kbtools/cli.py imports these; a command raises KbError to refuse (cli.py prints it
and exits with its status)."""
