"""`python -m adventure` runs the same command line as `adventure`."""

import sys

from adventure.cli import main

sys.exit(main())
