"""Kinds of security events a person sees on "Password and security" (CHECKLIST 31)."""

from __future__ import annotations

from enum import StrEnum


class SecurityEventKind(StrEnum):
    SIGNED_UP = "signed_up"
    LOGIN_SUCCEEDED = "login_succeeded"
    LOGIN_FAILED = "login_failed"
    SECOND_FACTOR_FAILED = "second_factor_failed"
    LOGGED_OUT = "logged_out"
    SESSIONS_ENDED = "sessions_ended"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 (an event name)
    TWO_FACTOR_ENABLED = "two_factor_enabled"
    TWO_FACTOR_DISABLED = "two_factor_disabled"
    RECOVERY_CODE_USED = "recovery_code_used"
    RECOVERY_CODES_REPLACED = "recovery_codes_replaced"
    ACCOUNT_LINKED = "account_linked"
    ACCOUNT_UNLINKED = "account_unlinked"

    @property
    def description(self) -> str:
        return _DESCRIPTIONS[self]


_DESCRIPTIONS = {
    SecurityEventKind.SIGNED_UP: "Account created",
    SecurityEventKind.LOGIN_SUCCEEDED: "Logged in",
    SecurityEventKind.LOGIN_FAILED: "Failed login (wrong password)",
    SecurityEventKind.SECOND_FACTOR_FAILED: "Failed login (wrong two-factor code)",
    SecurityEventKind.LOGGED_OUT: "Logged out",
    SecurityEventKind.SESSIONS_ENDED: "Other sessions logged out",
    SecurityEventKind.PASSWORD_CHANGED: "Password changed",
    SecurityEventKind.TWO_FACTOR_ENABLED: "Two-factor authentication turned on",
    SecurityEventKind.TWO_FACTOR_DISABLED: "Two-factor authentication turned off",
    SecurityEventKind.RECOVERY_CODE_USED: "Logged in with a recovery code",
    SecurityEventKind.RECOVERY_CODES_REPLACED: "New recovery codes made (the old ones no "
                                               "longer work)",
    SecurityEventKind.ACCOUNT_LINKED: "App account added to Accounts Center",
    SecurityEventKind.ACCOUNT_UNLINKED: "App account removed from Accounts Center",
}
