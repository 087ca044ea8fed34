"""`python -m wttui` runs the same entry point as the `wttui` console script."""

from wttui.cli import main

raise SystemExit(main())
