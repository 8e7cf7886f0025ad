"""The gateway's problem types (beyond the shared ones)."""

from velox_shared.errors import Conflict, Forbidden, TooManyRequests, Unauthorized


class InvalidCredentials(Unauthorized):
    problem = "invalid-credentials"
    title = "Invalid credentials"


class InvalidApiKey(Unauthorized):
    problem = "invalid-api-key"
    title = "Invalid API key"


class AccountSuspended(Forbidden):
    problem = "account-suspended"
    title = "Account suspended"


class InsufficientScope(Forbidden):
    problem = "insufficient-scope"
    title = "Insufficient scope"


class NoLongerMember(Unauthorized):
    problem = "not-a-member"
    title = "Not a member of this account"


class InsufficientRole(Forbidden):
    problem = "insufficient-role"
    title = "Only owners and admins may do this"


class EntitlementRequired(Forbidden):
    problem = "entitlement-required"
    title = "Your plan does not include this feature"


class RateLimited(TooManyRequests):
    problem = "rate-limited"
    title = "Rate limit exceeded"


class QuotaExceeded(TooManyRequests):
    problem = "quota-exceeded"
    title = "Monthly quota exhausted"


class LoginThrottled(TooManyRequests):
    problem = "login-throttled"
    title = "Too many login attempts"


class EmailTaken(Conflict):
    problem = "email-taken"
    title = "Email already registered"
