"""Login, sign-up and the code page may be the last hub page before an app: after the
form, the browser goes on through `/oauth2/authorize/continue/{id}` to the app's
callback (single sign-on). Browsers hold every redirect after a form submission to the
page's form-action (CSP Level 3 §6.3.2), so such a page allows that app's registered
origin too — the one of the pending request bound to this browser, and nothing else."""

from __future__ import annotations

import re

from fastapi import Request
from fastapi.responses import Response

from accounts_center.oidc.authorize_flow import Flow
from accounts_center.web.middleware import policy_with_form_target
from accounts_center.web.request_context import browser_token

_CONTINUE = re.compile(r"/oauth2/authorize/continue/([0-9a-f-]{36})")


def may_return_to_app(request: Request, response: Response, next_path: str) -> Response:
    """``response``, allowed to end at the app when ``next_path`` continues this
    browser's pending authorization."""
    match = _CONTINUE.fullmatch(next_path or "")
    if match is None:
        return response
    flow: Flow = request.app.state.authorize_flow
    uri = flow.return_uri(match.group(1), browser_token(request))
    if uri is not None:
        response.headers["content-security-policy"] = policy_with_form_target(uri)
    return response
