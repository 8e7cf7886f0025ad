"""The route policy table matches methods and path templates, first rule wins."""

from __future__ import annotations

from velox_gateway.access.policy import RoutePolicy, Rule


def test_templates_globs_and_methods() -> None:
    policy = RoutePolicy(
        [
            Rule(
                method="GET", path="/v1/vin/decode/{vin}", feature="vin.decode", quota="vin.decodes"
            ),
            Rule(method="*", path="/v1/vin/packages/**", feature="vin.packages"),
        ]
    )
    hit = policy.match("GET", "/v1/vin/decode/1HGCM82633A004352")
    assert hit is not None
    assert (hit.feature, hit.quota, hit.units) == ("vin.decode", "vin.decodes", 1)
    assert policy.match("POST", "/v1/vin/decode/1HGCM82633A004352") is None
    assert policy.match("GET", "/v1/vin/decode/a/b") is None
    deep = policy.match("DELETE", "/v1/vin/packages/x/y")
    assert deep is not None
    assert deep.feature == "vin.packages"
    assert policy.match("GET", "/v1/vin/packages") is not None
    assert policy.match("GET", "/v1/vin/packagesX") is None


def test_the_shipped_table_loads() -> None:
    policy = RoutePolicy.load()
    rule = policy.match("POST", "/v1/vin/decode")
    assert rule is not None
    assert (rule.quota, rule.service_units) == ("vin.decodes", True)
    single = policy.match("GET", "/v1/vin/1HGCM82633A004352")
    assert single is not None
    assert (single.feature, single.quota, single.service_units) == (
        "vin.decode",
        "vin.decodes",
        False,
    )
    # History and job reads are not decodes: the specific rows come before GET /v1/vin/{vin}.
    for path in ("/v1/vin/history", "/v1/vin/history/export", "/v1/vin/jobs", "/v1/vin/jobs/j"):
        hit = policy.match("GET", path)
        assert hit is not None
        assert hit.quota is None, path
    packages = policy.match("POST", "/v1/vin/packages")
    assert packages is not None
    assert packages.feature == "vin.packages"
