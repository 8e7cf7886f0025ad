"""A loopback NHTSA vPIC for tests and ``make run``: DecodeVinValuesExtended and
DecodeVINValuesBatch in vPIC's flat JSON shape, answered from recordings (one file per
VIN in ``recordings/``), with vPIC's unknown-VIN answer for any other VIN.

Fake-only control endpoints under ``/_fake`` make it slow, fail (500/503/429, for the next
N calls or always, with ``Retry-After``), send a malformed body, go back to normal, and
count the calls it received (with the peak of calls in flight).

Run it: ``python -m velox_devstack.fakevpic --port 12112``, then point the vPIC client's
base URL at ``http://127.0.0.1:12112/api``; build it in a test with :func:`create_app`.
"""

from velox_devstack.fakevpic.app import RECORDINGS, create_app, load_recordings

__all__ = ["RECORDINGS", "create_app", "load_recordings"]
