"""`python -m adventure` runs the same command line as `adventure`."""

import sys

from .cli import main

sys.exit(main())
