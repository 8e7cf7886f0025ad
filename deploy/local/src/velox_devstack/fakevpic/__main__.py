"""``python -m velox_devstack.fakevpic``: serve the loopback vPIC with uvicorn."""

from __future__ import annotations

import argparse
from pathlib import Path

import uvicorn

from velox_devstack.fakevpic.app import RECORDINGS, create_app


def main() -> None:
    """Parse ``--host``, ``--port`` and ``--recordings`` and serve until stopped."""
    parser = argparse.ArgumentParser(prog="fakevpic", description="A loopback NHTSA vPIC.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=12112)
    parser.add_argument("--recordings", type=Path, default=RECORDINGS)
    args = parser.parse_args()
    uvicorn.run(create_app(args.recordings), host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
