"""The registry the area modules add their breakages to (by function name)."""
REGISTRY = {}


def breakage(fn):
    if fn.__name__ in REGISTRY:
        raise RuntimeError("two breakages named %s" % fn.__name__)
    REGISTRY[fn.__name__] = fn
    return fn
