"""The site's security headers as a browser reads them."""


def directives(policy):
    """ "default-src 'self'; img-src 'self' data:" -> {"default-src": ["'self'"], "img-src": ["'self'", "data:"]}"""
    parsed = {}
    for directive in filter(None, (part.strip() for part in policy.split(";"))):
        name, *sources = directive.split()
        parsed[name] = sources
    return parsed


def assert_strict_public_policy(headers):
    """Only the site's own files run and style the page; nothing inline, no eval, no plugins, nobody frames it."""
    policy = directives(headers["content-security-policy"])
    assert policy["default-src"] == policy["script-src"] == policy["style-src"] == ["'self'"], policy
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"], policy
    assert policy["base-uri"] == policy["form-action"] == ["'self'"], policy
    assert not any("unsafe" in source for sources in policy.values() for source in sources), policy
