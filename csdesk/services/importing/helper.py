"""`python -m csdesk.services.importing.helper`: one helper process of pool.StagingPool."""

from csdesk.services.importing.worker import main

if __name__ == "__main__":
    main()
