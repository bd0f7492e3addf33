"""``python -m fleetpack``: the same as the ``fleetpack`` command."""

from .cli.main import main

raise SystemExit(main())
