"""``python -m fleetpack``: the same as the ``fleetpack`` command."""

from .cli import main

raise SystemExit(main())
