import sys

from confbot.cli import main

sys.exit(main())
