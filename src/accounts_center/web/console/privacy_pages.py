"""The console's "Your information" and "Ad preferences" sections (DESIGN §4.7)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from accounts_center.domain.errors import InvalidInput, TooManyArchives
from accounts_center.services.ages import age_view, confirm_birth_date
from accounts_center.services.archives import archive_content, archive_job, start_archive
from accounts_center.services.consents import ad_choices, set_ad_consent
from accounts_center.services.hub_sessions import CurrentSession
from accounts_center.services.ledger import verify_ledger
from accounts_center.services.receipts import InvalidReceipt, check_receipts, receipt_now
from accounts_center.services.your_information import KINDS, erase_app_data, overview
from accounts_center.store.base import INTEGER_MAX
from accounts_center.web.console.forms import FormText, LongFormText
from accounts_center.web.console.guards import require_person
from accounts_center.web.console.rendering import render
from accounts_center.web.parameters import RowId
from accounts_center.web.request_context import check_csrf, hub_of

router = APIRouter(include_in_schema=False)
Person = Annotated[CurrentSession, Depends(require_person)]

KIND_LABELS = [("decision", "data decisions"), ("event", "what apps were told"),
               ("consent", "ad choices"), ("link", "added accounts"),
               ("unlink", "removed accounts"), ("erasure", "erasures"),
               ("age", "age changes"), ("creation", "your creations")]
NOTICES = {"erased": "Erased. The apps you use were told to forget it too.",
           "age": "Thank you. Your apps now use the age band of the birth date you gave.",
           "ads-on": "Ads with your information are on for that app.",
           "ads-off": "Ads with your information are off for that app."}


def _page(request: Request, person: CurrentSession, kind: str = "",
          check: object = None, done: str = "", receipt_check: object = None,
          download_refused: str = "", status: int = 200, before: int | None = None,
          age_form: dict[str, object] | None = None) -> Response:
    chosen = kind if kind in KINDS else None
    return render(request, "your_information.html", {
        "title": "Your information", "info": overview(hub_of(request), person.identity_id,
                                                      chosen, before),
        "before": before,
        "age": age_view(hub_of(request), person.identity_id),
        "kinds": KIND_LABELS, "kind": chosen or "", "check": check,
        "receipt_check": receipt_check, "notice": NOTICES.get(done),
        "download_refused": download_refused, "age_form": age_form or {}}, status=status)


@router.get("/your-information")
def your_information(request: Request, person: Person, kind: str = "", done: str = "",
                     before: Annotated[int | None, Query(ge=1, le=INTEGER_MAX)] = None
                     ) -> Response:
    """``before``: show the timeline from that entry backwards (the older pages)."""
    return _page(request, person, kind[:20], done=done, before=before)


@router.post("/your-information/verify")
def check_ledger(request: Request, person: Person, csrf_token: FormText = "") -> Response:
    check_csrf(request, csrf_token)
    result = verify_ledger(hub_of(request), person.identity_id)
    if request.headers.get("hx-request"):
        return render(request, "_ledger_check.html", {"check": result})
    return _page(request, person, check=result)


@router.get("/your-information/receipt")
def download_receipt(request: Request, person: Person) -> Response:
    """The hub's signed receipt of the person's ledger as it stands, to keep."""
    receipt = receipt_now(hub_of(request), person.identity_id)
    if receipt is None:
        return render(request, "error.html", {
            "title": "No receipt yet", "detail": "Your ledger has no entries yet: there is "
            "nothing to give a receipt for."}, status=404)
    return Response(receipt + "\n", media_type="application/jwt", headers={
        "content-disposition": 'attachment; filename="accounts-center-receipt.jwt"'})


@router.post("/your-information/receipt/check")
def check_kept_receipt(request: Request, person: Person, receipt: LongFormText = "",
                       csrf_token: FormText = "") -> Response:
    """Whether the ledger still extends a receipt the person kept."""
    check_csrf(request, csrf_token)
    try:
        [result] = check_receipts(hub_of(request), [receipt], person.identity_id)
        outcome: dict[str, object] = {"ok": result.ok, "seq": result.seq,
                                      "problem": result.problem}
    except InvalidReceipt as error:
        outcome = {"ok": False, "invalid": error.detail}
    if request.headers.get("hx-request"):
        return render(request, "_receipt_check.html", {"receipt_check": outcome})
    return _page(request, person, receipt_check=outcome)


@router.post("/your-information/erase/{app_id}")
def erase(request: Request, person: Person, app_id: RowId, csrf_token: FormText = "") -> Response:
    check_csrf(request, csrf_token)
    erase_app_data(hub_of(request), person.identity_id, app_id)
    return RedirectResponse("/your-information?done=erased", status_code=303)


@router.post("/your-information/age")
def confirm_age(request: Request, person: Person, birth_date: FormText = "",
                csrf_token: FormText = "") -> Response:
    check_csrf(request, csrf_token)
    try:
        confirm_birth_date(hub_of(request), person.identity_id, birth_date)
    except InvalidInput as error:  # said next to the field, with what was typed
        return _page(request, person, status=error.status,
                     age_form={"birth_date": birth_date, "errors": [error.detail]})
    return RedirectResponse("/your-information?done=age", status_code=303)


@router.post("/your-information/download")
def start_download(request: Request, person: Person, csrf_token: FormText = "") -> Response:
    check_csrf(request, csrf_token)
    try:
        job_id = start_archive(hub_of(request), person.identity_id)
    except TooManyArchives as refused:  # said where the person asked, nothing started
        response = _page(request, person, download_refused=refused.detail, status=429)
        response.headers["Retry-After"] = str(refused.retry_after_seconds)
        return response
    return RedirectResponse(f"/your-information/download/{job_id}", status_code=303)


@router.get("/your-information/download/{job_id}")
def download_page(request: Request, person: Person, job_id: RowId) -> Response:
    job = archive_job(hub_of(request), person.identity_id, job_id)
    return render(request, "archive.html", {"title": "Download your information", "job": job})


@router.get("/your-information/download/{job_id}/status")
def download_status(request: Request, person: Person, job_id: RowId) -> Response:
    job = archive_job(hub_of(request), person.identity_id, job_id)
    return render(request, "_archive_progress.html", {"job": job})


@router.get("/your-information/download/{job_id}/file")
def download_file(request: Request, person: Person, job_id: RowId) -> Response:
    content = archive_content(hub_of(request), person.identity_id, job_id)
    return Response(content, media_type="application/zip", headers={
        "content-disposition": 'attachment; filename="accounts-center-information.zip"'})


@router.get("/ad-preferences")
def ad_preferences(request: Request, person: Person, done: str = "") -> Response:
    return render(request, "ad_preferences.html", {
        "title": "Ad preferences", "choices": ad_choices(hub_of(request), person.identity_id),
        "notice": NOTICES.get(done)})


@router.post("/ad-preferences/{app_id}")
def choose_ads(request: Request, person: Person, app_id: RowId, granted: FormText,
               csrf_token: FormText = "") -> Response:
    check_csrf(request, csrf_token)
    on = granted == "on"
    set_ad_consent(hub_of(request), person.identity_id, app_id, on)
    return RedirectResponse(f"/ad-preferences?done=ads-{'on' if on else 'off'}",
                            status_code=303)
