"""Which requests are rate-limited, how hard, and on whose account (pure: request facts in, a rule out)."""

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    name: str
    prefix: str
    per_minute: int
    methods: frozenset[str] | None = None  # None: every method
    anonymous_only: bool = False


# First match wins. Limits are per client (token, signed-in user or address) and per minute.
DEFAULT_RULES: tuple[Rule, ...] = (
    Rule("login", "/login/", 20, methods=frozenset({"POST"})),
    Rule("otp", "/security/otp/", 20, methods=frozenset({"POST"})),
    Rule("api", "/api/", 600),
    Rule("intake", "/intake/hook/", 3000),
    Rule("health", "/health", 120),
    Rule("public", "/", 300, anonymous_only=True),
)


def rule_for(path: str, method: str, *, authenticated: bool, rules=DEFAULT_RULES) -> Rule | None:
    for rule in rules:
        if not path.startswith(rule.prefix):
            continue
        if rule.methods is not None and method not in rule.methods:
            continue
        if rule.anonymous_only and authenticated:
            continue
        return rule
    return None


def client_key(*, authorization: str, user_id: int | None, ip: str) -> str:
    """A bearer token counts on its own (hashed: the key never lands in the cache); else the user; else the address."""
    if authorization:
        return "t:" + hashlib.sha256(authorization.encode()).hexdigest()[:32]
    if user_id:
        return f"u:{user_id}"
    return f"ip:{ip}"
