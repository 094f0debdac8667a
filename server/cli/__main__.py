"""`python -m server.cli`: the `workshop` command."""

import sys

from server.cli.main import main

sys.exit(main())
