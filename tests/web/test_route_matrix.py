"""Who may use which route: every route × every role × their own or another's object.

MATRIX has one line per (method, path) as FastAPI names it, giving the expected outcome for
each caller, in the order of CALLERS:

    anonymous  viewer  force (own object)  force (other's object)  chair  secretariat  admin

    A    allowed: the request got past authentication and authorisation (2xx, 3xx, or a
         form's own 409/422; never 401, 403, 404 or a redirect to sign in)
    S    sent to sign in first (303 to /sign-in?next=…)
    401  403  404   refused with that status

"Own object" means the route's action belongs to the force user (through their person);
routes without an action give both force columns the same expectation. Signed-in callers use
a browser session with its CSRF token for the pages and an API token for /api/v1.

A route with no line fails test_every_route_has_a_line, which prints the lines to add. A new
path parameter needs a value in _param(), and a form that checks its fields before who is
asking needs a valid body in _form().

In the world used here the viewer, the secretariat and the administrator are not linked to a
person, so "My actions" refuses them (403); the force user is the DCC and the chair the PCC.
"""

from dataclasses import dataclass
from datetime import date, datetime
from itertools import count
from urllib.parse import urlsplit

import pytest
from fastapi import routing
from sqlmodel import select

from app.config import get_settings
from app.models import ApiToken, DecisionReference, EntryKind, Finding, Inspection, Role, utcnow
from app.schemas import QuestionCreate
from app.services import identity, invitations, owner_links, tokens, two_factor
from app.services.approval import approve_by_chair, submit_to_chair
from app.services.calendar import feed_token
from app.services.entries import delete_entry
from app.services.papers import attach_paper
from app.services.public_questions import form_token as public_question_token
from app.services.publication import forms_of, latest_published, publish_minutes
from app.services.questions import create_question
from app.services.stages import issue_agenda
from app.web.calendar import feed_secret
from app.web.deps import CSRF_HEADER, SESSION_COOKIE, link_form_token
from app.web.user_pages import invitation_form_token
from tests.factories import (
    PDF_BYTES,
    SYSTEM,
    bearer,
    enrol_totp,
    make_action,
    make_entry,
    make_item,
    make_meeting,
    make_user,
)
from tests.web.test_api_contract import CASES

_invited = count(1)
CALLERS = ("anonymous", "viewer", "force_own", "force_other", "chair", "secretariat", "admin")
PASSWORD = "correct horse battery staple"

MATRIX: dict[tuple[str, str], str] = {
    ("GET", "/"):                                                      "A A A A A A A",
    ("GET", "/actions"):                                               "S A A A A A A",
    # the home page's lists of things waiting: each role has its own (the secretariat's here)
    ("GET", "/waiting/{key}"):                                         "S 404 404 404 404 A A",
    ("GET", "/actions/log.docx"):                                      "S A A A A A A",
    ("GET", "/actions/log.xlsx"):                                      "S A A A A A A",
    ("GET", "/decisions"):                                             "S A A A A A A",
    ("GET", "/decisions.xlsx"):                                        "S A A A A A A",
    ("POST", "/decisions/{decision_id}/significant"):                  "S 403 403 403 403 A A",
    ("GET", "/search"):                                                "S A A A A A A",
    # the record's life: the secretariat submits, amends, redacts and publishes; the chair
    # approves and previews; anyone signed in reads the record and its changes
    ("POST", "/api/v1/entries/{entry_id}/amendments"):                 "401 403 403 403 403 A A",
    ("GET", "/entries/{entry_id}/amend"):                              "S 403 403 403 403 A A",
    ("POST", "/entries/{entry_id}/amend"):                             "S 403 403 403 403 A A",
    ("POST", "/meetings/{meeting_id}/submit"):                         "S 403 403 403 403 A A",
    ("POST", "/meetings/{meeting_id}/approve"):                        "S 403 403 403 A A A",
    ("POST", "/meetings/{meeting_id}/approve-at-meeting"):             "S 403 403 403 403 A A",
    ("GET", "/meetings/{meeting_id}/changes"):                         "S A A A A A A",
    ("GET", "/meetings/{meeting_id}/public-preview"):                  "S 403 403 403 A A A",
    ("POST", "/meetings/{meeting_id}/publish"):                        "S 403 403 403 403 A A",
    ("GET", "/meetings/{meeting_id}/record"):                          "S A A A A A A",
    # a meeting's life: the secretariat adds, changes, moves, cancels, starts and closes it
    ("GET", "/meetings/new"):                                          "S 403 403 403 403 A A",
    ("POST", "/meetings/new"):                                         "S 403 403 403 403 A A",
    ("GET", "/meetings/{meeting_id}/edit"):                            "S 403 403 403 403 A A",
    ("POST", "/meetings/{meeting_id}/edit"):                           "S 403 403 403 403 A A",
    ("GET", "/meetings/{meeting_id}/move"):                            "S 403 403 403 403 A A",
    ("POST", "/meetings/{meeting_id}/move"):                           "S 403 403 403 403 A A",
    ("GET", "/meetings/{meeting_id}/cancel"):                          "S 403 403 403 403 A A",
    ("POST", "/meetings/{meeting_id}/cancel"):                         "S 403 403 403 403 A A",
    ("GET", "/meetings/{meeting_id}/attendance"):                      "S 403 403 403 403 A A",
    ("POST", "/meetings/{meeting_id}/attendance"):                     "S 403 403 403 403 A A",
    ("POST", "/meetings/{meeting_id}/start"):                          "S 403 403 403 403 A A",
    ("POST", "/meetings/{meeting_id}/close"):                          "S 403 403 403 403 A A",
    ("POST", "/meetings/{meeting_id}/invitations"):                    "S 403 403 403 403 A A",
    ("GET", "/meetings/{meeting_id}/redaction"):                       "S 403 403 403 403 A A",
    ("POST", "/meetings/{meeting_id}/redaction"):                      "S 403 403 403 403 A A",
    # the published minutes are public: no sign-in
    ("GET", "/public"):                                                "A A A A A A A",
    ("GET", "/public/documents/{document_id}"):                        "A A A A A A A",
    # the public action log and the decisions register: no sign-in
    ("GET", "/public/actions"):                                        "A A A A A A A",
    ("GET", "/public/actions.xlsx"):                                   "A A A A A A A",
    ("GET", "/public/decisions"):                                      "A A A A A A A",
    ("GET", "/public/decisions.xlsx"):                                 "A A A A A A A",
    ("GET", "/public/decisions/{decision_id}"):                        "A A A A A A A",
    ("GET", "/public/decisions/{decision_id}/reports/{paper_id}"):     "A A A A A A A",
    # the public question form: anyone, signed in or not (the form's own time stamp answers
    # a form sent back at once with 422, so the matrix keeps nothing)
    ("GET", "/public/questions/new"):                                  "A A A A A A A",
    ("POST", "/public/questions"):                                     "A A A A A A A",
    ("GET", "/public/questions/sent"):                                 "A A A A A A A",
    # the meetings to come, their public agenda and papers, the feeds and the accessibility
    # statement: for anyone
    ("GET", "/public/meetings"):                                       "A A A A A A A",
    ("GET", "/public/meetings/{meeting_id}"):                          "A A A A A A A",
    ("GET", "/public/papers/{paper_id}"):                              "A A A A A A A",
    ("GET", "/public/feed.atom"):                                      "A A A A A A A",
    ("GET", "/public/meetings.ics"):                                   "A A A A A A A",
    ("GET", "/accessibility"):                                         "A A A A A A A",
    ("GET", "/public/minutes/{document_id}"):                          "A A A A A A A",
    # one's own account and sessions; the administrator's list of everyone's
    ("GET", "/account"):                                               "S A A A A A A",
    ("GET", "/account/password"):                                      "S A A A A A A",
    ("POST", "/account/password"):                                     "S A A A A A A",
    ("POST", "/account/recovery-codes"):                               "S A A A A A A",
    # force_other is another browser of the same officer: force_own's request signed it out
    ("POST", "/account/sessions/sign-out-others"):                     "S A A S A A A",
    ("POST", "/account/sessions/{session_id}/sign-out"):               "S A A A A A A",
    ("GET", "/account/two-factor"):                                    "S A A A A A A",
    ("POST", "/account/two-factor"):                                   "S A A A A A A",
    ("GET", "/admin/sessions"):                                        "S 403 403 403 403 403 A",
    ("POST", "/admin/sessions/{session_id}/sign-out"):                 "S 403 403 403 403 403 A",
    ("POST", "/admin/users/{user_id}/sign-out"):                       "S 403 403 403 403 403 A",
    # the office's settings (what `assure settings` sets)
    ("GET", "/admin/settings"):                                        "S 403 403 403 403 403 A",
    ("POST", "/admin/settings"):                                       "S 403 403 403 403 403 A",
    # the office's Word template (none uploaded in the matrix's world: nothing to download)
    ("POST", "/admin/settings/word-template"):                         "S 403 403 403 403 403 A",
    ("GET", "/admin/settings/word-template.docx"):                     "S 403 403 403 403 403 404",
    ("POST", "/admin/settings/word-template/built-in"):                "S 403 403 403 403 403 A",
    # users from the browser: the administrator's users and tokens; one's own tokens; the
    # invitation link's page, which its holder opens without an account
    ("GET", "/admin/users"):                                           "S 403 403 403 403 403 A",
    ("GET", "/admin/users/invite"):                                    "S 403 403 403 403 403 A",
    ("POST", "/admin/users/invite"):                                   "S 403 403 403 403 403 A",
    ("GET", "/admin/users/{user_id}"):                                 "S 403 403 403 403 403 A",
    ("POST", "/admin/users/{user_id}/role"):                           "S 403 403 403 403 403 A",
    ("POST", "/admin/users/{user_id}/deactivate"):                     "S 403 403 403 403 403 A",
    ("POST", "/admin/users/{user_id}/activate"):                       "S 403 403 403 403 403 A",
    ("POST", "/admin/users/{user_id}/two-factor/reset"):               "S 403 403 403 403 403 A",
    ("POST", "/admin/users/{user_id}/invite-again"):                   "S 403 403 403 403 403 A",
    ("POST", "/admin/users/{user_id}/tokens/{token_id}/revoke"):       "S 403 403 403 403 403 A",
    ("GET", "/admin/tokens"):                                          "S 403 403 403 403 403 A",
    ("POST", "/admin/tokens/{token_id}/revoke"):                       "S 403 403 403 403 403 A",
    ("POST", "/account/tokens"):                                       "S A A A A A A",
    ("POST", "/account/tokens/{token_id}/revoke"):                     "S A A A A A A",
    ("GET", "/invitation/{token}"):                                    "A A A A A A A",
    ("POST", "/invitation/{token}"):                                   "A A A A A A A",
    # the code page belongs to a browser between password and code; others go to /sign-in
    ("GET", "/sign-in/code"):                                          "A A A A A A A",
    ("POST", "/sign-in/code"):                                         "A A A A A A A",
    ("GET", "/admin/audit"):                                           "S 403 403 403 403 403 A",
    ("GET", "/admin/audit.csv"):                                       "S 403 403 403 403 403 A",
    ("POST", "/actions/take-up"):                                      "S 403 403 403 403 A A",
    ("GET", "/actions/{action_id}"):                                   "S A A A A A A",
    ("POST", "/actions/{action_id}/close"):                            "S 403 403 403 A A A",
    ("POST", "/actions/{action_id}/delegate"):                         "S 403 A 403 A A A",
    ("POST", "/actions/{action_id}/links"):                            "S 403 403 403 403 A A",
    ("POST", "/actions/{action_id}/links/revoke"):                     "S 403 403 403 403 A A",
    ("POST", "/actions/{action_id}/reopen"):                           "S 403 403 403 A A A",
    ("POST", "/actions/{action_id}/send-back"):                        "S 403 403 403 A A A",
    ("POST", "/actions/{action_id}/updates"):                          "S 403 A 403 A A A",
    ("GET", "/api/v1/actions"):                                        "401 A A A A A A",
    ("POST", "/api/v1/actions"):                                       "401 403 403 403 403 A A",
    ("GET", "/api/v1/actions/{action_id}"):                            "401 A A A A A A",
    ("PATCH", "/api/v1/actions/{action_id}"):                          "401 403 403 403 403 A A",
    ("GET", "/api/v1/actions/{action_id}/updates"):                    "401 A A A A A A",
    ("POST", "/api/v1/actions/{action_id}/updates"):                   "401 403 A 403 A A A",
    ("DELETE", "/api/v1/entries/{entry_id}"):                          "401 403 403 403 403 A A",
    ("GET", "/api/v1/entries/{entry_id}"):                             "401 A A A A A A",
    ("PATCH", "/api/v1/entries/{entry_id}"):                           "401 403 403 403 403 A A",
    ("POST", "/api/v1/entries/{entry_id}/restore"):                    "401 403 403 403 403 A A",
    ("GET", "/api/v1/entries/{entry_id}/revisions"):                   "401 A A A A A A",
    ("DELETE", "/api/v1/items/{item_id}"):                             "401 403 403 403 403 A A",
    ("PATCH", "/api/v1/items/{item_id}"):                              "401 403 403 403 403 A A",
    ("GET", "/api/v1/items/{item_id}/entries"):                        "401 A A A A A A",
    ("POST", "/api/v1/items/{item_id}/entries"):                       "401 403 403 403 403 A A",
    ("GET", "/api/v1/items/{item_id}/papers"):                         "401 A A A A A A",
    ("POST", "/api/v1/items/{item_id}/papers"):                        "401 403 403 403 403 A A",
    ("GET", "/api/v1/meeting-types"):                                  "401 A A A A A A",
    ("POST", "/api/v1/meeting-types"):                                 "401 403 403 403 403 A A",
    ("GET", "/api/v1/meeting-types/{meeting_type_id}"):                "401 A A A A A A",
    ("PATCH", "/api/v1/meeting-types/{meeting_type_id}"):              "401 403 403 403 403 A A",
    ("PUT", "/api/v1/meeting-types/{meeting_type_id}/attendees"):      "401 403 403 403 403 A A",
    ("POST", "/api/v1/meeting-types/{meeting_type_id}/generate"):      "401 403 403 403 403 A A",
    ("PUT", "/api/v1/meeting-types/{meeting_type_id}/standing-items"): "401 403 403 403 403 A A",
    ("GET", "/api/v1/meetings"):                                       "401 A A A A A A",
    ("POST", "/api/v1/meetings"):                                      "401 403 403 403 403 A A",
    ("GET", "/api/v1/meetings/{meeting_id}"):                          "401 A A A A A A",
    ("PATCH", "/api/v1/meetings/{meeting_id}"):                        "401 403 403 403 403 A A",
    ("GET", "/api/v1/meetings/{meeting_id}/agenda.docx"):              "401 403 403 403 A A A",
    ("PUT", "/api/v1/meetings/{meeting_id}/attendance"):               "401 403 403 403 403 A A",
    ("GET", "/api/v1/meetings/{meeting_id}/items"):                    "401 A A A A A A",
    ("POST", "/api/v1/meetings/{meeting_id}/items"):                   "401 403 403 403 403 A A",
    # the internal edition unless ?edition=public
    ("GET", "/api/v1/meetings/{meeting_id}/minutes.docx"):             "401 403 403 403 A A A",
    ("GET", "/api/v1/meetings/{meeting_id}/question-pack.docx"):       "401 403 403 403 A A A",
    ("POST", "/api/v1/meetings/{meeting_id}/questions/send"):          "401 403 403 403 A A A",
    ("DELETE", "/api/v1/papers/{paper_id}"):                           "401 403 403 403 403 A A",
    ("GET", "/api/v1/papers/{paper_id}"):                              "401 A A A A A A",
    ("GET", "/api/v1/people"):                                         "401 A A A A A A",
    ("POST", "/api/v1/people"):                                        "401 403 403 403 403 A A",
    ("GET", "/api/v1/people/{person_id}"):                             "401 A A A A A A",
    ("PATCH", "/api/v1/people/{person_id}"):                           "401 403 403 403 403 A A",
    ("GET", "/api/v1/questions"):                                      "401 A A A A A A",
    ("GET", "/api/v1/search"):                                         "401 A A A A A A",
    ("POST", "/api/v1/questions"):                                     "401 403 403 403 A A A",
    ("GET", "/api/v1/questions/{question_id}"):                        "401 A A A A A A",
    ("PATCH", "/api/v1/questions/{question_id}"):                      "401 403 403 403 A A A",
    ("POST", "/api/v1/questions/{question_id}/answers"):               "401 403 403 403 A A A",
    ("GET", "/calendar/person/{person_id}.ics"):                       "A A A A A A A",
    # a new link for one's own calendar (those not linked to a person have none), or, for
    # the secretariat, for a series' calendar
    ("POST", "/calendar/my-link"):                                     "S 403 A A A 403 403",
    ("POST", "/series/{series_id}/calendar-link"):                     "S 403 403 403 403 A A",
    ("GET", "/calendar/series/{meeting_type_id}.ics"):                 "A A A A A A A",
    ("GET", "/healthz"):                                               "A A A A A A A",
    ("GET", "/meetings"):                                              "S A A A A A A",
    # the inspection register: anyone signed in reads; the secretariat and admin import,
    # record the s55 dates and update findings
    ("GET", "/inspections"):                                           "S A A A A A A",
    ("POST", "/inspections"):                                          "S 403 403 403 403 A A",
    ("GET", "/inspections/import"):                                    "S 403 403 403 403 A A",
    ("POST", "/inspections/import"):                                   "S 403 403 403 403 A A",
    ("POST", "/inspections/import/review"):                            "S 403 403 403 403 A A",
    ("GET", "/inspections/{inspection_id}"):                           "S A A A A A A",
    # old minutes and action logs in: the secretariat and admin import; whoever reads the
    # internal record downloads the file an import came from
    ("GET", "/imports"):                                               "S 403 403 403 403 A A",
    ("POST", "/imports"):                                              "S 403 403 403 403 A A",
    ("POST", "/imports/{upload_id}/review"):                           "S 403 403 403 403 A A",
    ("POST", "/imports/{upload_id}"):                                  "S 403 403 403 403 A A",
    ("GET", "/imports/{import_id}/file"):                              "S 403 403 403 A A A",
    ("POST", "/inspections/{inspection_id}/dates"):                    "S 403 403 403 403 A A",
    ("POST", "/inspections/{inspection_id}/findings/{finding_id}"):    "S 403 403 403 403 A A",
    # the s55 response: whoever sees the inspection reads and downloads; the record's keepers write
    ("GET", "/inspections/{inspection_id}/response"):                  "S A A A A A A",
    ("POST", "/inspections/{inspection_id}/response"):                 "S 403 403 403 403 A A",
    ("GET", "/inspections/{inspection_id}/response.docx"):             "S A A A A A A",
    # a finding's page: anyone signed in reads; the chair (with the office) puts questions
    # about it; the office raises actions, changes it and records it as superseded
    ("GET", "/inspections/{inspection_id}/findings/{finding_id}"):     "S A A A A A A",
    ("GET", "/findings/{finding_id}"):                                 "S A A A A A A",
    ("POST", "/inspections/{inspection_id}/findings/{finding_id}/action"): "S 403 403 403 403 A A",
    ("POST", "/inspections/{inspection_id}/findings/{finding_id}/edit"): "S 403 403 403 403 A A",
    ("POST", "/inspections/{inspection_id}/findings/{finding_id}/question"): "S 403 403 403 A A A",
    ("POST", "/inspections/{inspection_id}/findings/{finding_id}/supersede"):
        "S 403 403 403 403 A A",
    ("GET", "/findings"):                                              "S A A A A A A",
    ("GET", "/findings/panel.docx"):                                   "S A A A A A A",
    ("GET", "/findings/panel.xlsx"):                                   "S A A A A A A",
    ("GET", "/meetings/{meeting_id}"):                                 "S A A A A A A",
    ("GET", "/meetings/{meeting_id}/agenda"):                          "S A A A A A A",
    ("POST", "/meetings/{meeting_id}/agenda/items"):                   "S 403 403 403 403 A A",
    ("POST", "/meetings/{meeting_id}/agenda/items/{item_id}"):         "S 403 403 403 403 A A",
    ("POST", "/meetings/{meeting_id}/agenda/items/{item_id}/delete"):  "S 403 403 403 403 A A",
    ("POST", "/meetings/{meeting_id}/agenda/items/{item_id}/move"):    "S 403 403 403 403 A A",
    ("POST", "/meetings/{meeting_id}/agenda/items/{item_id}/papers"):  "S 403 403 403 403 A A",
    ("GET", "/meetings/{meeting_id}/live"):                            "S A A A A A A",
    ("GET", "/meetings/{meeting_id}/live/minutes"):                    "S A A A A A A",
    ("GET", "/meetings/{meeting_id}/prepare"):                         "S 403 403 403 A A A",
    ("POST", "/meetings/{meeting_id}/prepare/send"):                   "S 403 403 403 A A A",
    ("GET", "/meetings/{meeting_id}/take-minutes"):                    "S 403 403 403 403 A A",
    # the owner's own page: 403 for users not linked to a person; any-scope roles post too
    ("GET", "/my-actions"):                                            "S 403 A A A 403 403",
    ("POST", "/my-actions/{action_id}/delegate"):                      "S 403 A 403 A 403 403",
    ("POST", "/my-actions/{action_id}/updates"):                       "S 403 A 403 A 403 403",
    ("GET", "/openapi.json"):                                          "A A A A A A A",
    # the owner's link is the credential, whoever holds it; its own CSRF token
    ("GET", "/owner/{token}"):                                         "A A A A A A A",
    ("POST", "/owner/{token}/actions/{action_id}/delegate"):           "A A A 403 A A A",
    ("POST", "/owner/{token}/actions/{action_id}/updates"):            "A A A 403 A A A",
    ("GET", "/questions"):                                             "S A A A A A A",
    ("GET", "/questions/new"):                                         "S 403 403 403 A A A",
    ("POST", "/questions/new"):                                        "S 403 403 403 A A A",
    ("GET", "/questions/themes/{theme:path}"):                         "S A A A A A A",
    ("GET", "/questions/{question_id}"):                               "S A A A A A A",
    ("POST", "/questions/{question_id}/answers"):                      "S 403 403 403 A A A",
    ("GET", "/questions/{question_id}/edit"):                          "S 403 403 403 A A A",
    ("POST", "/questions/{question_id}/edit"):                         "S 403 403 403 A A A",
    ("POST", "/questions/{question_id}/screening"):                    "S 403 403 403 A A A",
    ("POST", "/questions/{question_id}/status"):                       "S 403 403 403 A A A",
    ("GET", "/people"):                                                "S 403 403 403 A A A",
    ("GET", "/people/new"):                                            "S 403 403 403 403 A A",
    ("POST", "/people/new"):                                           "S 403 403 403 403 A A",
    ("GET", "/people/import"):                                         "S 403 403 403 403 A A",
    ("POST", "/people/import"):                                        "S 403 403 403 403 A A",
    ("POST", "/people/import/confirm"):                                "S 403 403 403 403 A A",
    ("GET", "/people/{person_id}"):                                    "S 403 403 403 A A A",
    ("GET", "/people/{person_id}/mentions"):                           "S 403 403 403 A A A",
    ("GET", "/people/{person_id}/mentions.xlsx"):                      "S 403 403 403 A A A",
    ("GET", "/people/{person_id}/edit"):                               "S 403 403 403 403 A A",
    ("POST", "/people/{person_id}/edit"):                              "S 403 403 403 403 A A",
    ("POST", "/people/{person_id}/deactivate"):                        "S 403 403 403 403 A A",
    ("POST", "/people/{person_id}/reactivate"):                        "S 403 403 403 403 A A",
    ("GET", "/series"):                                                "S A A A A A A",
    ("GET", "/series/{series_id}"):                                    "S A A A A A A",
    ("POST", "/series/{series_id}"):                                   "S 403 403 403 403 A A",
    ("POST", "/series/{series_id}/meetings"):                          "S 403 403 403 403 A A",
    # a series' minutes format: chosen by the secretariat, its preview read by everyone
    ("POST", "/series/{series_id}/minutes-format"):                    "S 403 403 403 403 A A",
    ("GET", "/series/{series_id}/minutes-preview.docx"):               "S A A A A A A",
    ("GET", "/series/new"):                                            "S 403 403 403 403 A A",
    ("POST", "/series/new"):                                           "S 403 403 403 403 A A",
    ("GET", "/sign-in"):                                               "A A A A A A A",
    ("POST", "/sign-in"):                                              "A A A A A A A",
    ("POST", "/sign-out"):                                             "S A A A A A A",
    # how long a browser's session has left (not activity), and staying signed in: a script
    # asks, so a browser without a session is told so (401), not sent to sign in
    ("GET", "/session/status"):                                        "A A A A A A A",
    ("POST", "/session/keep-alive"):                                   "401 A A A A A A",
}


@dataclass
class Caller:
    name: str
    cookie: str | None = None
    csrf: str | None = None
    token: str | None = None


@dataclass
class Matrix:
    world: object
    callers: dict[str, Caller]
    link_token: str
    theme: str
    owner_of: dict[int, int]  # action id -> its lead owner's person id
    viewer_user_id: int = 0  # whose link to a series the calendar feed is read with
    target: object = None  # the user an administrator's user route acts on (_param)
    decision_paper_id: int = 0  # the report of the public decision a route names (_param)
    public: tuple[int, int] | None = None  # a public meeting to come and its paper (_param)


@pytest.fixture
def matrix(session, qworld) -> Matrix:
    return build_matrix(session, qworld)


def build_matrix(session, w) -> Matrix:
    """The world of tests/web/conftest.py with a browser session for each caller, an owner's
    link for the DCC, and a question on a theme."""
    settings = get_settings()
    callers = {"anonymous": Caller("anonymous")}
    people = {Role.force: w.dcc, Role.chair: w.pcc}
    for role in Role:
        # The world's users (the force one is the DCC's, the chair's the PCC's), in a browser.
        token = w.tokens[role.value]
        user = tokens.user_for_token(session, token)
        assert user.person_id == (people[role].id if role in people else None)
        if two_factor.required(user):
            enrol_totp(session, user)  # else every page sends them to set it up first
        for name in (["force_own", "force_other"] if role == Role.force else [role.value]):
            started = identity.start_web_session(
                session, user=user, idle_minutes=settings.session_idle_minutes,
                max_hours=settings.session_max_hours)
            callers[name] = Caller(name, started.raw_token, started.csrf_token, token)
    make_user(session, Role.viewer, email="signer@matrix.example", password=PASSWORD)
    link = owner_links.create_link(session, person_id=w.dcc.id, by=SYSTEM)
    create_question(session, by=SYSTEM, data=QuestionCreate(
        text="How many ANPR cameras work?", theme="Roads policing", asked_by_id=w.pcc.id,
        addressed_to_id=w.cc.id, meeting_id=w.meeting.id, status="sent"))
    owner_of = {w.action.id: w.dcc.id, w.other_action.id: w.cc.id,
                w.exempt_action.id: w.dcc.id}
    viewer = tokens.user_for_token(session, callers["viewer"].token).id
    session.commit()  # no read left open in the test's session while the app writes
    return Matrix(w, callers, link.token, "Roads policing", owner_of, viewer)


# --- filling in a route's path and body -----------------------------------------------------


def _param(name: str, path: str, m: Matrix, session, caller: str) -> str:
    """A value for a path parameter. Objects a request may delete are made afresh for each
    request, so each caller meets the same state."""
    w = m.world
    if name == "action_id" and "delegate" in path:
        # Handing an action on changes its owners: each caller gets an action of their own.
        owner = w.cc if caller == "force_other" else w.dcc
        action = make_action(session, [owner], meeting_id=w.meeting.id, item_id=w.item.id)
        m.owner_of[action.id] = owner.id
        return str(action.id)
    if name == "action_id":
        return str((w.other_action if caller == "force_other" else w.action).id)
    if name == "meeting_id" and path.endswith("/approve-at-meeting"):
        # Draft minutes of an earlier meeting, agreed at the world's meeting (_form).
        return str(make_meeting(session, w.series, starts_at=datetime(2019, 2, 26, 10),
                                status="draft").id)
    if name in ("meeting_id", "paper_id") and path.startswith("/public/") and (
            "/reports/" not in path):
        # A meeting to come with its agenda issued, and a paper of it: public.
        if m.public is None:
            meeting = make_meeting(session, w.series, starts_at=datetime(2099, 4, 30, 10))
            paper = attach_paper(session, item_id=make_item(session, meeting).id,
                                 filename="public.pdf", content=PDF_BYTES, by=SYSTEM)
            issue_agenda(session, meeting_id=meeting.id, by=SYSTEM)
            session.commit()
            m.public = (meeting.id, paper.id)
        return str(m.public[0] if name == "meeting_id" else m.public[1])
    if name == "meeting_id" and path.endswith("/publish"):
        return str(w.approved.id)
    if name in ("meeting_id",):
        return str(w.meeting.id)
    if name == "entry_id" and "amend" in path:
        return str(w.approved_entry.id)
    if name == "document_id":
        published = (latest_published(session, w.approved.id)
                     or publish_minutes(session, meeting_id=w.approved.id, by=SYSTEM))
        if path.startswith("/public/minutes/"):  # the web page of the same version
            return str(forms_of(session, published)["html"].id)
        return str(published.id)
    if name in ("meeting_type_id", "series_id"):
        return str((w.scheduled if path.endswith("/generate") else w.series).id)
    if name == "person_id":
        return str(w.dcc.id)
    if name == "question_id":
        return str(w.question.id)
    if name == "item_id":
        return str(make_item(session, w.meeting, title="Matrix item").id)
    if name == "entry_id":
        entry = make_entry(session, w.item, text="Matrix entry.")
        if path.endswith("/restore"):
            delete_entry(session, entry_id=entry.id, by=SYSTEM)
        return str(entry.id)
    if name == "decision_id":
        # A decision in published minutes, made on a report (the public register's).
        meeting = make_meeting(session, w.series, starts_at=datetime(2019, 1, 29, 10),
                               status="draft")
        item = make_item(session, meeting, title="Matrix decision")
        entry = make_entry(session, item, kind=EntryKind.decision, text="Agreed.")
        m.decision_paper_id = attach_paper(session, item_id=item.id, filename="report.pdf",
                                           content=PDF_BYTES, by=SYSTEM).id
        submit_to_chair(session, meeting_id=meeting.id, by=SYSTEM)
        approve_by_chair(session, meeting_id=meeting.id, by=SYSTEM)
        publish_minutes(session, meeting_id=meeting.id, by=SYSTEM)
        session.commit()
        return str(session.exec(select(DecisionReference.id).where(
            DecisionReference.entry_id == entry.id)).one())
    if name == "paper_id" and "/reports/" in path:
        return str(m.decision_paper_id)
    if name == "paper_id":
        return str(attach_paper(session, item_id=w.item.id, filename="matrix.pdf",
                                content=PDF_BYTES, by=SYSTEM).id)
    if name in ("upload_id", "import_id"):
        from app.services import record_import
        from tests import import_files

        held = record_import.hold_upload(session, kind="minutes", filename="old.docx",
                                         content=import_files.heading_minutes(), by=SYSTEM)
        if name == "import_id":
            held.completed_at = utcnow()
        session.commit()
        return str(held.id)
    if name == "session_id":
        # Another browser of the caller's own (the account page ends one's own; the
        # administrator's page anyone's: the viewer's).
        token = m.callers["viewer" if path.startswith("/admin/") else caller].token
        user = tokens.user_for_token(session, token or m.callers["admin"].token)
        settings = get_settings()
        return str(identity.start_web_session(
            session, user=user, idle_minutes=settings.session_idle_minutes,
            max_hours=settings.session_max_hours).session.id)
    if name == "user_id" and path.endswith("/sign-out"):
        return str(tokens.user_for_token(session, m.callers["viewer"].token).id)
    if name == "user_id":
        # A user of their own for each request (the requests deactivate them, change their
        # role, revoke their tokens), with a token for the routes that revoke one.
        m.target, _ = make_user(session, Role.viewer)
        return str(m.target.id)
    if name == "token" and path.startswith("/invitation/"):
        # A fresh invitation for each request, so that each caller meets an unused link.
        invited = identity.create_user(session, email=f"invited{next(_invited)}@matrix.example",
                                       role=Role.viewer, password=None, by=SYSTEM)
        raw = invitations._new_invitation(session, invited, SYSTEM, utcnow())[1]
        session.commit()
        return raw
    if name == "token_id":
        # A live token: the caller's own on their account page, else the viewer's.
        if path.startswith("/account/") and caller != "anonymous":
            holder = tokens.user_for_token(session, m.callers[caller].token)
        elif path.startswith("/admin/users/"):
            holder = m.target
        else:
            holder, _ = make_user(session, Role.viewer)
        raw = tokens.create_token(session, user=holder, by=SYSTEM, name="Matrix")
        session.commit()
        return str(session.exec(select(ApiToken.id).where(
            ApiToken.token_hash == tokens._digest(raw))).one())
    if name == "token":
        return m.link_token
    if name == "theme":
        return m.theme
    if name == "key":
        return "overdue-actions"
    if name == "inspection_id":
        inspection = Inspection(title="Matrix inspection", published_on=date(2024, 3, 14))
        session.add(inspection)
        session.flush()
        finding = Finding(inspection_id=inspection.id, kind="recommendation", text="Do it.",
                          owner_id=w.dcc.id)
        later = Finding(inspection_id=inspection.id, kind="recommendation", text="Do more.",
                        position=1)
        session.add_all([finding, later])
        session.commit()
        m.finding_id, m.later_finding_id = finding.id, later.id
        return str(inspection.id)
    if name == "finding_id" and path.startswith("/findings/"):
        inspection = Inspection(title="Matrix inspection", published_on=date(2024, 3, 14))
        session.add(inspection)
        session.flush()
        finding = Finding(inspection_id=inspection.id, kind="recommendation", text="Do it.")
        session.add(finding)
        session.commit()
        return str(finding.id)
    if name == "finding_id":
        return str(m.finding_id)
    raise AssertionError(f"_param() in tests/web/test_route_matrix.py does not know how to "
                         f"fill in {{{name}}} of {path}: teach it")


def _fill(path: str, m: Matrix, session, caller: str) -> tuple[str, dict[str, str]]:
    values = {}
    parts = []
    for part in path.split("/"):
        if part.startswith("{"):
            name = part.strip("{}").split(":")[0].split("}")[0]
            suffix = part[part.index("}") + 1:]
            values[name] = _param(name, path, m, session, caller)
            parts.append(values[name] + suffix)
        else:
            parts.append(part)
    return "/".join(parts), values


def _form(method: str, route: str, m: Matrix, values: dict[str, str]) -> dict:
    """The request's body: a valid one, so that the answer depends on who asks."""
    w = m.world
    action_id = int(values.get("action_id", 0) or 0)
    forms = {
        "/sign-in": {"email": "signer@matrix.example", "password": PASSWORD},
        "/actions/take-up": {"action_id": [str(w.other_action.id)],
                             "meeting_id": str(w.meeting.id)},
        "/actions/{action_id}/updates": {"text": "Progress made.", "status": "in_progress"},
        "/actions/{action_id}/close": {"text": "Done."},
        "/actions/{action_id}/send-back": {"text": "Not yet."},
        "/actions/{action_id}/delegate": {"to_person_id": str(w.cc.id), "note": "Over to you"},
        "/actions/{action_id}/links": {"person_id": str(m.owner_of.get(action_id, 0))},
        "/actions/{action_id}/links/revoke": {"person_id": str(m.owner_of.get(action_id, 0))},
        "/my-actions/{action_id}/updates": {"text": "Progress made.", "status": "in_progress"},
        "/my-actions/{action_id}/delegate": {"to_person_id": str(w.cc.id)},
        "/owner/{token}/actions/{action_id}/updates": {"text": "Progress.",
                                                       "status": "in_progress"},
        "/owner/{token}/actions/{action_id}/delegate": {"to_person_id": str(w.cc.id)},
        "/meetings/{meeting_id}/agenda/items": {"title": "Matrix addition"},
        "/meetings/{meeting_id}/agenda/items/{item_id}": {"title": "Renamed"},
        "/meetings/{meeting_id}/agenda/items/{item_id}/move": {"direction": "up"},
        "/questions/new": {"text": "Why?", "asked_by_id": str(w.pcc.id),
                           "addressed_to_id": str(w.cc.id), "source": "commissioner"},
        "/questions/{question_id}/edit": {"text": "Why not?", "asked_by_id": str(w.pcc.id),
                                          "addressed_to_id": str(w.cc.id),
                                          "source": "commissioner"},
        "/questions/{question_id}/status": {"to": "asked"},
        "/questions/{question_id}/answers": {"respondent_id": str(w.cc.id),
                                             "answer_text": "Year two.", "how": "meeting"},
        "/questions/{question_id}/screening": {"decision": "accepted"},
        "/decisions/{decision_id}/significant": {"significant": "yes"},
        "/public/questions": {"name": "Jane Public", "email": "jane@example.org",
                              "question": "Why?", "meeting_id": str(w.meeting.id)},
        "/series/{series_id}": {"name": "Monthly Assurance Meeting", "default_venue": "Room 1"},
        "/admin/settings": {"office_name": "Office of the PCC", "office_short_name": "OPCC",
                            "force_name": "", "default_marking": "OFFICIAL",
                            "action_reference_format": "A/{year}/{seq:03d}",
                            "publish_within_days": "20", "reminder_days_before": "7",
                            "owner_link_days": "14", "digest_weekday": "0"},
        "/people/new": {"full_name": "Rachel Jones", "initials": "RJ", "side": "force"},
        "/people/{person_id}/edit": {"full_name": "Amanda Blakeman", "initials": "AB",
                                     "side": "force"},
        "/people/import/confirm": {"csv_text": "Name,Initials\nRachel Jones,RJ\n",
                                   "default_side": "force", "count": "1"},
        "/meetings/{meeting_id}/approve-at-meeting": {"at_meeting_id": str(w.meeting.id)},
        "/entries/{entry_id}/amend": {"text": "Agreed words, corrected.",
                                      "reason": "A typing error."},
        "/admin/users/invite": {"email": "invited@matrix.example", "role": "viewer"},
        "/admin/users/{user_id}/role": {"role": "force"},
        "/account/tokens": {"name": "Matrix", "days": "7"},
        "/invitation/{token}": {"password": "harbour lantern meadow",
                                "confirm": "harbour lantern meadow"},
        "/inspections": {"title": "Matrix inspection", "published_on-day": "14",
                         "published_on-month": "3", "published_on-year": "2024",
                         "finding_count": "1", "finding-0-kind": "recommendation",
                         "finding-0-text": "Do it."},
        "/inspections/import": {"text": "A report's text."},
        "/imports": {"kind": "minutes"},
        "/imports/{upload_id}/review": {"kind": "minutes", "op": "item-add"},
        "/imports/{upload_id}": {"kind": "minutes"},
        "/inspections/import/review": {"title": "Matrix inspection", "op": "add-finding"},
        "/inspections/{inspection_id}/dates": {
            "published_on-day": "14", "published_on-month": "3", "published_on-year": "2024",
            "cc_comments_requested_on-day": "15", "cc_comments_requested_on-month": "3",
            "cc_comments_requested_on-year": "2024"},
        "/inspections/{inspection_id}/findings/{finding_id}": {"force_status": "in_progress",
                                                               "opcc_status": "not_assessed"},
        "/inspections/{inspection_id}/response": {"summary": "The inspection examined roads."},
        "/inspections/{inspection_id}/findings/{finding_id}/edit": {
            "force_status": "in_progress", "opcc_status": "not_assessed", "theme": "Roads"},
        "/inspections/{inspection_id}/findings/{finding_id}/question": {
            "text": "What progress?", "meeting_id": str(w.meeting.id)},
        "/inspections/{inspection_id}/findings/{finding_id}/action": {
            "text": "Report back.", "owner_id": str(w.dcc.id),
            "action_due-day": "30", "action_due-month": "9", "action_due-year": "2030"},
        "/inspections/{inspection_id}/findings/{finding_id}/supersede": {
            "later_id": str(getattr(m, "later_finding_id", 0))},
    }
    if route.startswith("/api/"):
        case = next((c for c in CASES.values() if (c.method, c.route) == (method, route)),
                    None)
        if case is None or method in ("GET", "DELETE"):
            return {}
        if case.files:
            return {"files": case.files(w)}
        return {"json": case.body(w) if case.body else None}
    if route == "/people/import":
        return {"files": {"file": ("officers.csv", b"Name\nRachel Jones\n", "text/csv")},
                "data": {"default_side": "force"}}
    if route == "/admin/settings/word-template":
        from tests.export.word_templates import office_template
        return {"files": {"word_template": ("office.docx", office_template(), "application/"
                          "vnd.openxmlformats-officedocument.wordprocessingml.document")},
                "data": {}}
    if route.endswith("/papers"):
        return {"files": {"file": ("matrix.pdf", PDF_BYTES, "application/pdf")}, "data": {}}
    return {"data": dict(forms.get(route, {}))}


def call(client, session, m: Matrix, method: str, route: str, caller: str, **options):
    """Make the route's request as the caller; returns the response."""
    client.cookies.clear()
    return client.request(**prepare(session, m, method, route, caller, **options))


def prepare(session, m: Matrix, method: str, route: str, caller: str, *,
            csrf: bool = True, api_by_cookie: bool = False) -> dict:
    """The route's request as the caller would make it: with the CSRF token unless told not
    to, and to the API with the caller's API token or, when told, their browser session."""
    path, values = _fill(route, m, session, caller)
    if route.startswith("/calendar/") and route.endswith(".ics"):  # a secret calendar link
        kind = "person" if "/person/" in route else "series"
        object_id = int(next(iter(values.values())))
        if kind == "person":
            path += f"?token={feed_token(kind, object_id, feed_secret())}"
        else:  # a series' link is a user's own: the viewer's, whoever holds it
            holder = m.viewer_user_id
            token = feed_token(kind, object_id, feed_secret(), f":user {holder}")
            path += f"?user={holder}&token={token}"
    who = m.callers[caller]
    kwargs = _form(method, route, m, values) if method not in ("GET", "HEAD") else {}
    headers = {}
    if route.startswith("/api/") and not api_by_cookie:
        if who.token:
            headers.update(bearer(who.token))
    elif route.startswith("/owner/"):
        if csrf and "data" in kwargs:
            kwargs["data"]["csrf_token"] = link_form_token(m.link_token)
    elif route == "/public/questions":
        if csrf and "data" in kwargs:
            kwargs["data"]["form_token"] = public_question_token(get_settings().signing_key())
    elif route.startswith("/invitation/"):
        if csrf and "data" in kwargs:
            kwargs["data"]["csrf_token"] = invitation_form_token(values["token"])
    elif who.cookie:
        headers["Cookie"] = f"{SESSION_COOKIE}={who.cookie}"
        if method not in ("GET", "HEAD") and csrf:
            headers[CSRF_HEADER] = who.csrf
            if "data" in kwargs:
                kwargs["data"]["csrf_token"] = who.csrf
    return {"method": method, "url": path, "headers": headers, "follow_redirects": False,
            **kwargs}


def outcome(response) -> str:
    """The response as one of the matrix's words."""
    status = response.status_code
    if status in (401, 403, 404):
        return str(status)
    location = response.headers.get("location", "") or response.headers.get("hx-redirect", "")
    target = urlsplit(location)
    if 300 <= status < 400 and target.path == "/sign-in" and "next=" in target.query:
        return "S"
    if status >= 500:
        return f"server error {status}"
    return "A"


# --- the tests --------------------------------------------------------------------------------


def app_routes(app) -> set[tuple[str, str]]:
    """Every (method, path) the app answers, but the static files; HEAD goes with GET."""
    found = set()
    for context in routing.iter_route_contexts(app.routes):
        path, methods = context.path, context.methods or set()
        if path is None or path.startswith("/static"):
            continue
        for method in methods - {"HEAD"}:
            found.add((method, path))
    return found


def test_every_route_has_a_line(app):
    missing = sorted(app_routes(app) - set(MATRIX), key=lambda k: (k[1], k[0]))
    stale = sorted(set(MATRIX) - app_routes(app))
    lines = "\n".join(
        f'    ("{method}", "{path}"): "{"401" if path.startswith("/api/") else "S"} ? ? ? ? ? ?",'
        for method, path in missing)
    assert not missing, (f"{len(missing)} routes have no line in MATRIX "
                         f"(tests/web/test_route_matrix.py); add, with each caller's outcome:\n"
                         f"{lines}")
    assert not stale, f"MATRIX has lines for routes that no longer exist: {stale}"


def test_every_line_names_every_caller():
    for key, line in MATRIX.items():
        words = line.split()
        assert len(words) == len(CALLERS), f"{key}: {line!r} needs {len(CALLERS)} words"
        assert set(words) <= {"A", "S", "401", "403", "404"}, f"{key}: {line!r}"


def mismatch(client, session, m: Matrix, key: tuple[str, str]) -> str | None:
    """What differs from the route's line, in words, or None."""
    method, route = key
    got = [outcome(call(client, session, m, method, route, caller)) for caller in CALLERS]
    if got == MATRIX[key].split():
        return None
    return f"{method} {route}\n  expected {MATRIX[key]!r}\n  got      {' '.join(got)!r}"


READS = sorted((k for k in MATRIX if k[0] == "GET"), key=lambda k: k[1])
WRITES = sorted((k for k in MATRIX if k[0] != "GET"), key=lambda k: (k[1], k[0]))


def test_route_matrix_reads(client, session, matrix):
    """Reading changes nothing another read depends on, so the reads share one world."""
    wrong = [found for key in READS if (found := mismatch(client, session, matrix, key))]
    assert not wrong, f"callers: {', '.join(CALLERS)}\n" + "\n".join(wrong)


@pytest.mark.parametrize("key", WRITES, ids=lambda k: f"{k[0]} {k[1]}")
def test_route_matrix_writes(client, session, matrix, key):
    """Each state-changing route in a world of its own."""
    found = mismatch(client, session, matrix, key)
    assert found is None, f"callers: {', '.join(CALLERS)}\n{found}"


# Exempt material: those who may not see it get 404 (not 403); the Commissioner's office sees
# it, and so does the force officer who owns the exempt action (their own work), but not the
# exempt entry or item.
EXEMPT = {
    ("GET", "/api/v1/actions/{id}"): "exempt_action",
    ("GET", "/api/v1/actions/{id}/updates"): "exempt_action",
    ("POST", "/api/v1/actions/{id}/updates"): "exempt_action",
    ("GET", "/actions/{id}"): "exempt_action",
    ("POST", "/actions/{id}/updates"): "exempt_action",
    ("GET", "/api/v1/entries/{id}"): "exempt_entry",
    ("GET", "/api/v1/items/{id}/entries"): "exempt_item",
}
# viewer, force (owner of the action), chair, secretariat, admin
EXEMPT_LINES = {"exempt_action": "404 A A A A", "exempt_entry": "404 404 A A A",
                "exempt_item": "404 404 A A A"}


@pytest.mark.parametrize("key", sorted(EXEMPT), ids=lambda k: f"{k[0]} {k[1]}")
def test_exempt_objects_are_hidden(client, session, matrix, key):
    method, route = key
    obj = getattr(matrix.world, EXEMPT[key])
    path = route.replace("{id}", str(obj.id))
    got = []
    for caller in ("viewer", "force_own", "chair", "secretariat", "admin"):
        who = matrix.callers[caller]
        headers = {}
        kwargs = {}
        if route.startswith("/api/"):
            headers = bearer(who.token)
            if method == "POST":
                kwargs["json"] = {"text": "Progress."}
        else:
            headers = {"Cookie": f"{SESSION_COOKIE}={who.cookie}", CSRF_HEADER: who.csrf}
            if method == "POST":
                kwargs["data"] = {"text": "Progress.", "csrf_token": who.csrf}
        client.cookies.clear()
        response = client.request(method, path, headers=headers, follow_redirects=False,
                                  **kwargs)
        got.append(outcome(response))
    assert " ".join(got) == EXEMPT_LINES[EXEMPT[key]], f"{method} {route}: {' '.join(got)}"


def test_the_force_user_owns_the_own_object(matrix):
    w = matrix.world
    assert matrix.owner_of[w.action.id] == w.dcc.id != matrix.owner_of[w.other_action.id]
    assert w.action.due_date >= date(2030, 1, 1)  # not overdue, so no state gets in the way
