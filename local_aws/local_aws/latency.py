"""The latency model: how long each AWS call waits before it is served, by service and operation class.

The endpoint answers from memory in a millisecond or two; real AWS takes tens to hundreds of milliseconds per
call, so a client that makes many calls is slower there than the local figures suggest. settings.latency_ms
holds one figure (milliseconds) per class; every class is 0 (off) unless set. AWS_MS is the model the bench
uses, with each figure's source in docs/local-endpoint.md ("Latency model"). The delay is applied to every AWS
call (whatever answers it: the backend, a fault or an authorization refusal) and logged as its delay_ms.
"""

from __future__ import annotations

# A request's class: "<service>-<kind>" for the services the collection calls most, kind as wire.is_read says.
CLASSES = ("amplify-read", "amplify-write", "iam-read", "iam-write", "s3-read", "s3-write", "sts", "other")
_BY_KIND = ("amplify", "iam", "s3")

# The figures of the model (milliseconds), for a client in or near the region it calls. See docs/local-endpoint.md.
AWS_MS = {
    # Published: S3's performance guidelines give small-object (and first-byte) latencies of roughly 100-200 ms.
    # Reads at the low end, writes (acknowledged once stored redundantly) midway: the split is an assumption.
    "s3-read": 100.0,
    "s3-write": 150.0,
    # Assumed: IAM publishes no latency. Its one control plane is in us-east-1 (every IAM call goes there,
    # from any region) and its writes propagate to every region's data plane: reads like any regional call,
    # writes twice that.
    "iam-read": 100.0,
    "iam-write": 200.0,
    # Assumed: Amplify publishes no latency. A regional control-plane API: reads like any regional call,
    # writes (which create or change resources behind the API) twice that.
    "amplify-read": 100.0,
    "amplify-write": 200.0,
    # Assumed: one regional round trip and a signature check (the collection calls only GetCallerIdentity).
    "sts": 100.0,
    "other": 100.0,
}


def off() -> dict[str, float]:
    """The model switched off: every class 0."""
    return {name: 0.0 for name in CLASSES}


def request_class(service: str, kind: str) -> str:
    """The class of a call to `service` whose kind ("read" or "write") is `kind`."""
    if service in _BY_KIND:
        return f"{service}-{kind}"
    return service if service in CLASSES else "other"


def delay_ms(figures: dict[str, float], service: str, kind: str) -> float:
    """The delay (milliseconds) the model with these figures gives a call."""
    return float(figures.get(request_class(service, kind), 0.0))


def normalized(value) -> dict[str, float]:
    """A latency_ms setting as given (a JSON object of class: milliseconds), every class present; missing ones 0.

    Raises TypeError when it is not an object, ValueError for an unknown class or a value that is not a
    non-negative number.
    """
    if not isinstance(value, dict):
        raise TypeError("latency_ms must map request classes to milliseconds")
    unknown = sorted(set(value) - set(CLASSES))
    if unknown:
        raise ValueError(f"latency_ms: unknown classes {', '.join(map(str, unknown))} (known: {', '.join(CLASSES)})")
    figures = off()
    for name, milliseconds in value.items():
        if isinstance(milliseconds, bool) or not isinstance(milliseconds, (int, float)) or milliseconds < 0:
            raise ValueError(f"latency_ms: {name} must be a non-negative number of milliseconds, not {milliseconds!r}")
        figures[name] = float(milliseconds)
    return figures
