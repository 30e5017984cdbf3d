"""Train and analyse: `python scripts/train.py --help` lists the commands and every option."""

import sys

from src.cli import main

if __name__ == "__main__":
    sys.exit(main())
