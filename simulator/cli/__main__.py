"""`python -m simulator.cli ...` is `toolsim ...`."""

import sys

from simulator.cli.main import main

sys.exit(main())
