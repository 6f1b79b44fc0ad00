import sys

from csdesk.cli import main

if __name__ == "__main__":
    if getattr(sys, "frozen", False):
        # A big `csdesk demo` draws its customers in worker processes started with 'spawn'
        # (services/parallel.py): in the PyInstaller build each worker is this executable run
        # again, and freeze_support turns that run into the worker instead of the command line.
        # Only there: multiprocessing is not imported for every command.
        import multiprocessing

        multiprocessing.freeze_support()
    main()
