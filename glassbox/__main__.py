"""``python -m glassbox`` runs the ``glassbox`` command."""

from glassbox.cli import main

raise SystemExit(main())
