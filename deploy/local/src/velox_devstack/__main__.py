from velox_devstack.cli import main

raise SystemExit(main())
