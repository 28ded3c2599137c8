import sys

from simulator.author.reference import main

sys.exit(main())
