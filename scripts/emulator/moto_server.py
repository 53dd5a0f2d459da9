"""Start moto's own server entry point, after patching the emulator's gaps.

The patches live in patches/, one module per AWS service; each one names the
moto code it replaces and the AWS behaviour it restores. Nothing here changes
what the stacks deploy to real AWS: only the emulator's answers are made
closer to AWS's. request_log.py adds a log line for each retried request and
each server error, naming the AWS action.

Usage: python3 moto_server.py -H 127.0.0.1 -p 5000
"""
import os
import sys

# No __pycache__ next to the patches in the working tree.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import moto  # noqa: E402
from moto_version import version_problem  # noqa: E402

if version_problem(moto.__version__):
    sys.exit(version_problem(moto.__version__))

import patches  # noqa: E402  (must run before the server imports the models)
import request_log  # noqa: E402
from moto.moto_server.werkzeug_app import DomainDispatcherApplication  # noqa: E402
from moto.server import main  # noqa: E402

if __name__ == "__main__":
    patches.apply()
    request_log.log_retries_and_server_errors(DomainDispatcherApplication)
    main(sys.argv[1:])
