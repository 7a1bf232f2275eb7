from automodel_lint.cli import main

raise SystemExit(main())
