import sys

from kiosk.update.cli import main

sys.exit(main())
