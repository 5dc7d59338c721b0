"""Accounts Center for member apps: "Add to Accounts Center" (linking), "Continue with
Accounts Center" (single sign-on), tokens, the data API, the profile, the creations
library, cross-posting and the hub's webhooks.

    hub = AccountsCenter(issuer, client_id, client_secret, redirect_uri)
    auth = hub.start_link(app_user_id, handle)   # keep auth.pending, redirect to auth.url
    signed_in = hub.finish(pending, callback_query)
"""

from accounts_center_sdk.async_client import AsyncAccountsCenter
from accounts_center_sdk.client import AccountsCenter
from accounts_center_sdk.creations import Creation
from accounts_center_sdk.crossposts import (
    CopyReported,
    CrossPost,
    CrossPostCopy,
    CrossPostDestination,
)
from accounts_center_sdk.errors import (
    AccountsCenterError,
    AuthorizationFailed,
    CallbackRejected,
    CreationNotFound,
    CreationsNotDeclared,
    CrossPostDestinationNotOffered,
    CrossPostNoDestination,
    CrossPostNotFound,
    CrossPostPairUnavailable,
    CrossPostTypeNotDeclared,
    FieldNotSynced,
    HubError,
    HubUnavailable,
    InvalidClient,
    InvalidIDToken,
    InvalidRequest,
    NeverShared,
    OAuthError,
    PolicyDenied,
    UnknownAppUser,
)
from accounts_center_sdk.flows import Authorization, Pending, SignedIn, Tokens
from accounts_center_sdk.webhooks import (
    AccountLinked,
    AccountUnlinked,
    AgeReconciled,
    ConsentUpdated,
    CreationAdded,
    CreationDeleted,
    CrossPostCreated,
    CrossPostDeleted,
    CrossPostExpired,
    DataErasureRequested,
    DuplicateWebhook,
    Event,
    InvalidWebhook,
    ProfileUpdated,
    SeenIds,
    SeenStore,
    UnknownEvent,
    WebhookReceiver,
)

__all__ = [
    "AccountLinked", "AccountUnlinked", "AccountsCenter", "AccountsCenterError",
    "AgeReconciled", "AsyncAccountsCenter", "Authorization", "AuthorizationFailed",
    "CallbackRejected", "ConsentUpdated", "CopyReported", "Creation", "CreationAdded",
    "CreationDeleted",
    "CreationNotFound", "CreationsNotDeclared", "CrossPost", "CrossPostCopy",
    "CrossPostCreated", "CrossPostDeleted", "CrossPostDestination",
    "CrossPostDestinationNotOffered", "CrossPostExpired", "CrossPostNoDestination",
    "CrossPostNotFound",
    "CrossPostPairUnavailable", "CrossPostTypeNotDeclared",
    "DataErasureRequested", "DuplicateWebhook", "Event", "FieldNotSynced",
    "HubError", "HubUnavailable", "InvalidClient", "InvalidIDToken", "InvalidRequest",
    "InvalidWebhook", "NeverShared", "OAuthError", "Pending", "PolicyDenied",
    "ProfileUpdated", "SeenIds",
    "SeenStore", "SignedIn", "Tokens", "UnknownAppUser", "UnknownEvent", "WebhookReceiver",
]
