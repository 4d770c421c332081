from scsafety.cli import main

raise SystemExit(main())
