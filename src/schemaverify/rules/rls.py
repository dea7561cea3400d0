"""Row-level security: enabled and forced, the documented access kinds, the policies
that implement them, and the policies that grant more than documented."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from schemaverify.model.schema import Policy, Rls
from schemaverify.model.values import AccessKinds, Switch
from schemaverify.rules import access
from schemaverify.rules.context import TableContext

KINDS = (
    "rls_disabled",
    "rls_policy_missing",
    "rls_access_violation",
    "rls_access_undocumented",
)
SUBJECTS = ("rls.enabled", "rls.forced", "rls.access", "rls.policy_within_access", "rls.policy")


def _enabled(on: bool) -> Switch:
    return Switch(on, "enabled", "disabled")


def _forced(on: bool) -> Switch:
    return Switch(on, "forced", "not forced")


def compare(ctx: TableContext) -> None:
    expected = ctx.spec.table.rls
    if expected is None:
        return
    live: Rls | None = ctx.live.rls
    actual_enabled = bool(live and live.enabled)
    policies: Sequence[Policy] = live.policies if live else ()
    where = ctx.where("rls")
    root = _compare_enabled(ctx, expected, actual_enabled, where)
    if expected.forced is not None and live is not None:
        stated, found = _forced(expected.forced), _forced(bool(live.forced))
        if stated == found:
            ctx.verified("rls.forced", "force", stated, found, where)
        else:
            ctx.drift("rls.forced", "rls_disabled", "force", stated, found, where)
    if expected.enabled is not False:
        _compare_access(ctx, expected, actual_enabled, policies, root)
    if expected.enabled is not False or ctx.strict:
        _compare_policies(ctx, expected, policies, root)


def _compare_enabled(
    ctx: TableContext, expected: Rls, actual_enabled: bool, where: str
) -> str | None:
    """The fingerprint of `rls_disabled` when RLS is off although documented on: every
    access finding of the table follows from it."""
    found = _enabled(actual_enabled)
    if expected.enabled is False:
        # Documented as off: only a spec that states everything (strict) holds it to that.
        if ctx.strict:
            if actual_enabled:
                ctx.drift(
                    "rls.enabled",
                    "rls_disabled",
                    None,
                    _enabled(False),
                    found,
                    where,
                    details={"table": ctx.table},
                )
            else:
                ctx.verified("rls.enabled", None, _enabled(False), found, where)
        return None
    if actual_enabled:
        ctx.verified("rls.enabled", None, _enabled(True), found, where)
        return None
    finding = ctx.drift(
        "rls.enabled",
        "rls_disabled",
        None,
        _enabled(True),
        found,
        where,
        details={"table": ctx.table},
    )
    return finding.fingerprint


def _compare_access(
    ctx: TableContext,
    expected: Rls,
    actual_enabled: bool,
    policies: Sequence[Policy],
    root: str | None,
) -> None:
    patterns = ctx.options.patterns
    where = ctx.where("rls.access")
    granted = access.granted_kinds(actual_enabled, policies, patterns)
    shown = AccessKinds(tuple(sorted(granted)))
    outside = {
        found.policy.name: found
        for found in (
            access.violations(expected.access, True, policies, patterns)
            if expected.access and actual_enabled
            else ()
        )
    }
    closed = next((k for k in expected.access if _closes(k, patterns)), None)
    for kind in expected.access:
        if kind in granted:
            ctx.verified("rls.access", kind, kind, shown, where)
            continue
        if kind == closed and outside:
            # One broken restriction, one finding: the client policies that open the
            # table are this statement's drift, not a missing policy next to them.
            ctx.drift(
                "rls.access",
                "rls_access_violation",
                kind,
                kind,
                shown,
                where,
                details={
                    "closed": True,
                    "violations": tuple((name, o.reason) for name, o in outside.items()),
                },
            )
            continue
        ctx.drift(
            "rls.access",
            "rls_policy_missing",
            kind,
            kind,
            shown,
            where,
            caused_by=root,
            details={"access_kind": True, "policies": tuple(p.name for p in policies)},
        )
    if not (expected.access and actual_enabled):
        return
    documented = AccessKinds(tuple(expected.access))
    for policy in policies:
        if policy.name not in outside:
            ctx.verified("rls.policy_within_access", policy.name, documented, policy, where)
            continue
        if closed is not None:
            continue  # reported once, on the closed kind's own statement above
        found = outside[policy.name]
        ctx.drift(
            "rls.policy_within_access",
            "rls_access_violation" if found.forbidden else "rls_access_undocumented",
            policy.name,
            documented,
            policy,
            where,
            details={"reason": found.reason},
        )


def _closes(kind: str, patterns: access.AccessPatterns) -> bool:
    rule = patterns.rule(kind)
    return rule is not None and rule.no_client_access


def _policy_differences(wanted: Policy, actual: Policy, strict: bool) -> list[tuple[str, Any]]:
    """(what, live value) for each field the spec states (strict: every field)."""
    found: list[tuple[str, Any]] = []
    if wanted.command != actual.command:
        found.append(("command", actual.command))
    if sorted(wanted.roles) != sorted(actual.roles):
        found.append(("roles", actual.roles))
    if wanted.permissive != actual.permissive:
        found.append(("permissive", actual.permissive))
    if (wanted.using is not None or strict) and wanted.using != actual.using:
        found.append(("using", actual.using))
    if (wanted.with_check is not None or strict) and wanted.with_check != actual.with_check:
        found.append(("with_check", actual.with_check))
    return found


def _compare_policies(
    ctx: TableContext, expected: Rls, policies: Sequence[Policy], root: str | None
) -> None:
    """Policies the spec names, field by field; in strict mode also the live policies the
    spec does not name."""
    live = {p.name: p for p in policies}
    for wanted in expected.policies:
        where = ctx.where(f"policy:{wanted.name}")
        actual = live.get(wanted.name)
        if actual is None:
            ctx.drift(
                "rls.policy",
                "rls_policy_missing",
                wanted.name,
                wanted,
                None,
                where,
                caused_by=root,
            )
            continue
        diffs = _policy_differences(wanted, actual, ctx.strict)
        if not diffs:
            ctx.verified("rls.policy", wanted.name, wanted, actual, where)
            continue
        ctx.drift(
            "rls.policy",
            "rls_policy_missing",
            wanted.name,
            wanted,
            actual,
            where,
            details={"differences": diffs},
        )
    if not ctx.strict:
        return
    stated = {p.name for p in expected.policies}
    for policy in policies:
        if policy.name not in stated:
            ctx.observe(
                "rls_policy_missing", policy.name, None, _sorted_roles(policy), ctx.where("rls")
            )


def _sorted_roles(policy: Policy) -> Policy:
    return replace(policy, roles=tuple(sorted(policy.roles)))
