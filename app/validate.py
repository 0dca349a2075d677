"""Validation over HTTP: ``POST /api/validate`` for pipelines, ``/validate`` for people.

Both create a job (:mod:`cityref.services.jobs`) run by a job process
(:mod:`cityref.services.job_queue`), never in the web worker: a bounded number run at once
server-wide, each with the validation time and memory limits. With the ``state`` setting the
job goes to the shared queue instead and a ``cityref worker`` of the pool runs it, under the
same limits; any instance answers its poll (:mod:`cityref.services.job_service`). For uploads up to
``async_validation_bytes`` the request waits for the job (up to :data:`SYNC_WAIT_SECONDS`)
and answers with the report; larger ones, and jobs that wait longer, are answered 202 with
the job's URL to poll.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from pyoxigraph import RdfFormat
from werkzeug.exceptions import RequestEntityTooLarge

from app.auth import require_scope
from app.conversion import conversion_offer, converted_file, older_profile
from app.csrf import form_token, page_with_token, require_form_token
from app.errors import ApiError
from app.fairness import expensive
from app.i18n import api_language, current_language
from app.query_service import query_service
from cityref.errors import CityrefError
from cityref.inputs import InputLimits, Upload, format_for_media_type
from cityref.inputs.rdf_input import syntax_of
from cityref.inputs.registry import upload_suffixes
from cityref.outcome.renderers import (
    RENDERERS,
    Renderer,
    download,
    outcome_json,
    renderer_for_media_type,
)
from cityref.outcome.views import checked_words, finding_where, verdict_class, word
from cityref.pages.report_sections import report_view
from cityref.profiles import Profile, list_profiles
from cityref.registry.releases import release_facts
from cityref.services.job_progress import progress_answer
from cityref.services.job_reports import read_document, stored_rendering
from cityref.services.job_service import JobCannotStart, JobService, Submitted
from cityref.services.jobs import Job, JobNotFound, JobStorageFull
from cityref.services.shared_state import StateUnavailable
from cityref.settings import Settings
from cityref.text import Bilingual, languages_asked
from cityref.validation import ValidationOptions
from cityref.validation.errors import InputTooLarge
from cityref.validation.progress import Progress
from cityref.validation.progress_text import progress_words
from cityref.validation.worker import run_limited

bp = Blueprint("validate", __name__)
#: The app extension holding the jobs (cityref.services.job_service).
JOBS = "cityref.jobs"
#: Longest a request waits for a small upload's job before answering 202 with its URL:
#: well inside the web server's own request timeout.
SYNC_WAIT_SECONDS = 25.0
#: HTTP status of a failed job by why it failed (cityref.services.jobs.FAILURE_KINDS).
FAILURE_STATUS = {"too-large": 413, "busy": 503, "stopped": 503}
#: How to name a profile after why none was detected, for the API and for the form (the
#: CLI says it its own way).
NAME_IN_THE_API = Bilingual("{why}。?profile=ID で指定してください", "{why}; give ?profile=ID")
NAME_IN_THE_FORM = Bilingual(
    "{why}。「プロファイル」の一覧から選んで、もう一度送ってください",
    "{why}; choose its profile in the list and send the data again",
)
#: Failures of a job that are about the data sent: the form is shown again, saying why.
FORM_FAILURES = ("input", "no-profile", "too-large")
#: Media types a job's report is answered in, the default (JSON) first.
REPORT_TYPES = [r.media_type for r in RENDERERS]


def _settings() -> Settings:
    return query_service().settings


def jobs() -> JobService:
    """The app's validation jobs: this server's job processes or the shared pool."""
    service: JobService = current_app.extensions[JOBS]
    return service


def _form_uploads() -> list[Upload]:
    """The files of a multipart form (read by their names), else its pasted text; none
    when the form holds neither."""
    if request.files:
        files = [f for f in request.files.getlist("file") if f.filename or f.content_length]
        uploads = [Upload(f.read(), f.filename or "upload") for f in files]
        if uploads:
            return uploads
    pasted = request.form.get("text", "")
    if pasted.strip():
        named = request.form.get("filename")  # its suffix says the format; else it is CSV
        return [Upload(pasted.encode("utf-8"), named or "pasted", None if named else "text/csv")]
    return []


def _uploads() -> list[Upload]:
    """The uploaded files or pasted text of a form, or the raw body with its media type."""
    uploads = _form_uploads()
    if uploads:
        return uploads
    body = request.get_data(cache=False)
    if not body:
        raise ApiError(
            400,
            Bilingual(
                "データを multipart の file として、"
                "または本文として Content-Type 付きで送ってください",
                "send the data as multipart 'file' parts or as the body with its Content-Type",
            ),
        )
    name = request.args.get("filename")
    media_type = request.mimetype or None
    if name is None and (media_type is None or format_for_media_type(media_type) is None):
        raise ApiError(
            415,
            Bilingual(
                "この Content-Type は読めません。?filename= で拡張子を示してください",
                f"cannot read a body of type {request.mimetype!r};"
                " give ?filename= with an extension",
            ),
        )
    return [Upload(body, name or "upload", media_type)]


def _start(upload: Upload, profile: str | None) -> Job:
    """A job for the upload, run by a job process or the workers' pool; waited for when the
    upload is small."""
    settings = _settings()
    submitted = submit_job(upload.data, upload.name, profile, upload.media_type)
    if len(upload.data) > settings.async_validation_bytes:
        return submitted.job
    return submitted.wait(min(SYNC_WAIT_SECONDS, settings.validation_timeout + 5))


def submit_job(
    data: bytes,
    filename: str,
    profile: str | None,
    media_type: str | None,
    endpoint: str | None = None,
    graphs: tuple[str, ...] = (),
) -> Submitted:
    """Submit a job to the job service; what keeps it from starting is answered as an
    ApiError (413 for an upload larger than the job storage, else 503 with Retry-After)."""
    settings = _settings()
    try:
        return jobs().submit(data, filename, profile, media_type, endpoint, graphs)
    except JobStorageFull as exc:
        if exc.needed > settings.jobs_max_bytes:
            raise ApiError(
                413,
                Bilingual(
                    f"アップロード（{exc.needed} バイト）がジョブの保存容量"
                    f"（{settings.jobs_max_bytes} バイト）より大きいです",
                    f"the upload ({exc.needed} bytes) is larger than the job storage"
                    f" ({settings.jobs_max_bytes} bytes)",
                ),
            ) from None
        raise ApiError(
            503,
            Bilingual(
                "ジョブの保存領域が実行中のジョブで一杯です。しばらくしてから送ってください",
                "the job storage is full of jobs still running; try again later",
            ),
            headers={"Retry-After": "10"},
        ) from None
    except JobCannotStart as exc:
        raise ApiError(503, exc.text, headers={"Retry-After": "10"}) from None


def _failure(job: Job, name_the_profile: Bilingual) -> ApiError:
    """The error a failed job answers with; when no profile was detected, it says how to
    name one where the data came from (``name_the_profile``, filled with why)."""
    error = job.error or {"en": "failed", "ja": "失敗しました"}
    kind = error.get("kind", "")
    message = Bilingual(error["ja"], error["en"])
    if kind == "no-profile":
        message = name_the_profile.format(why=message)
    status = FAILURE_STATUS.get(kind, 422)
    headers = {"Retry-After": "10"} if status == 503 else None
    return ApiError(status, message, headers=headers)


def job_answer(job: Job) -> Response:
    """The job's report by Accept: cityref JSON (default), W3C Turtle or JSON-LD, CSV."""
    if job.state in ("queued", "running"):
        progress = _progress(job)
        pending = {
            "job": job.id,
            "state": job.state,
            "poll": url_for(".job", job_id=job.id),
            "progress": progress and progress_answer(progress, api_language()),
            "attempt": job.attempt,
        }
        body = json.dumps(pending, ensure_ascii=False)
        response = Response(body, status=202, mimetype="application/json")
        response.headers["Location"] = url_for(".job", job_id=job.id)
        response.headers["Retry-After"] = "2"
        return response
    if job.state == "failed":
        raise _failure(job, NAME_IN_THE_API)
    wanted = request.accept_mimetypes.best_match(REPORT_TYPES) or REPORT_TYPES[0]
    found = renderer_for_media_type(wanted)
    lang = api_language()
    if found.name == "json":  # the document, with the job it comes from
        documents = {language: _document(job.id, language) for language in languages_asked(lang)}
        body = outcome_json(documents, head={"job": job.id})
        return Response(body, mimetype=found.media_type)
    return Response(_rendering(job.id, found, lang), mimetype=found.media_type)


@bp.route("/api/validate", methods=["POST"])
@expensive  # one of the client's places while its validation runs or is waited for
def api_validate() -> Response:
    profile = request.values.get("profile") or None
    system = request.values.get("record")
    endpoint = request.values.get("endpoint")
    if endpoint is not None and not system:  # validation in place (app/validate_in_place.py)
        from app.validate_in_place import start_in_place

        return job_answer(start_in_place(endpoint, request.values.getlist("graph"), profile))
    if system:
        return _validate_and_record(system, profile)
    jobs = [_start(upload, profile) for upload in _uploads()]
    if len(jobs) == 1:
        return job_answer(jobs[0])
    listing = [{"job": j.id, "file": j.filename, "state": j.state} for j in jobs]
    return Response(json.dumps({"jobs": listing}), status=202, mimetype="application/json")


@require_scope("write")
def _validate_and_record(system: str, profile: str | None) -> Response:
    """``?record=SYSTEM``: validate in the request and store a conformance record for a
    registered system (needs a write token; the record names profile@version)."""
    from cityref.profiles import check_at_release
    from cityref.registry.records import DataFile, record_validation
    from cityref.registry.versioned import release_context

    settings = _settings()
    if profile is None:
        raise ApiError(
            400,
            Bilingual(
                "記録にはプロファイルの指定が必要です", "a record needs ?profile=ID[@VERSION]"
            ),
        )
    upload, *_rest = _uploads()
    try:
        model = query_service().model
        release = release_context(profile, model)
        # Read, convert and validate in a worker process with the job limits, not here.
        check = run_limited(
            partial(
                check_at_release,
                model=model,
                limits=InputLimits(max_decompressed_bytes=settings.max_decompressed_bytes),
            ),
            (upload.data, upload.name, release, ValidationOptions(), upload.media_type),
            time_limit=settings.validation_timeout,
            memory_mb=settings.validation_memory_mb,
        )
        rdf = check.converted.ntriples if check.converted else upload.data
        rdf_format = RdfFormat.N_TRIPLES if check.converted else syntax_of(upload)
        files = [DataFile(upload.name, rdf, rdf_format)]
        assert check.profile is not None  # the record's profile was named
        record = record_validation(
            settings.sources,
            settings.base_iri,
            system,
            f"{check.profile.id}@{release.model_release}",
            check.report,
            files,
            keep_sample=request.values.get("keep_sample") == "1",
            model_release=release.model_release,
        )
    except CityrefError as exc:
        raise ApiError.from_error(413 if isinstance(exc, InputTooLarge) else 422, exc) from None
    body = {"record": record.as_dict(), "conforms": check.report.conforms}
    return Response(json.dumps(body, ensure_ascii=False), status=201, mimetype="application/json")


@bp.route("/api/jobs/<job_id>")
def job(job_id: str) -> Response:
    return job_answer(_read(job_id))


@bp.route("/api/jobs/<job_id>/<name>")
def job_download(job_id: str, name: str) -> Response:
    """One of the job's reports as a file: ``report.<lang><suffix>`` of a renderer that is
    in one language, ``report<suffix>`` of one that is not (docs/report-format.md)."""
    named = download(name)
    if named is None:
        raise ApiError(
            404, Bilingual(f"ジョブ {job_id} に {name} はありません", f"job {job_id} has no {name}")
        )
    found, lang = named
    response = Response(_rendering(job_id, found, lang), mimetype=found.media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{job_id}-{name}"'
    return response


def _gone(job_id: str) -> ApiError:
    return ApiError(
        404,
        Bilingual(
            f"ジョブ {job_id} の結果はもうありません（古いジョブは削除されます）",
            f"job {job_id} has no report any more (old jobs are removed to keep storage bounded)",
        ),
    )


def _folder(job_id: str) -> Path:
    try:
        return jobs().files(job_id)
    except JobNotFound:
        raise _gone(job_id) from None
    except StateUnavailable as exc:
        raise ApiError(503, exc.text, headers={"Retry-After": "10"}) from None


def _document(job_id: str, lang: str) -> dict[str, Any]:
    """A finished job's outcome document; 404 when storage limits removed it meanwhile."""
    try:
        return read_document(_folder(job_id), lang)
    except OSError:
        raise _gone(job_id) from None


def _rendering(job_id: str, found: Renderer, lang: str | None) -> str:
    try:
        return stored_rendering(_folder(job_id), found, lang)
    except OSError:
        raise _gone(job_id) from None


def _progress(job: Job) -> Progress | None:
    """Where a running job's work stands, when its worker has said (None: not yet, or the
    job has ended or was removed meanwhile)."""
    return jobs().progress(job)


def _read(job_id: str) -> Job:
    try:
        return jobs().read(job_id)
    except JobNotFound as exc:
        raise ApiError(404, exc.text) from None
    except StateUnavailable as exc:
        raise ApiError(503, exc.text, headers={"Retry-After": "10"}) from None


def data_profiles() -> list[Profile]:
    """The profiles a file can be checked against (the validate form's choice, the home
    page's list), read once per build."""
    model = query_service().model
    return query_service().memo(
        "data profiles", lambda: [p for p in list_profiles(model) if p.is_data_profile]
    )


@bp.route("/validate", methods=["GET"])
def validate_page() -> Response:
    return _form_page()


def _form_page(error: ApiError | None = None, sent: Mapping[str, str] | None = None) -> Response:
    """The validation form; after a refused submission, with what was wrong (in the page's
    language, answered with the error's status) and the choices ``sent`` kept."""
    token = form_token()
    profiles = data_profiles()
    # The file chooser offers what the registered input formats read.
    accept = ",".join(upload_suffixes())
    form = sent or {}
    # A profile page links here with ?profile=<id>: that profile comes chosen.
    chosen = form.get("profile") or request.args.get("profile", "")
    page = render_template(
        "validate.html",
        profiles=profiles,
        csrf=token,
        accept=accept,
        error=error.message.in_language(current_language()) if error else None,
        chosen=chosen,
        pasted=form.get("text", ""),
        filename=form.get("filename", "pasted.csv"),
        **release_facts(query_service().model.root),
    )
    response = page_with_token(page, token)
    if error is not None:
        response.status_code = error.status
        response.headers.update(error.headers)
    return response


@bp.route("/validate", methods=["POST"])
@expensive
def validate_form() -> Response:
    """Validate what the form sent and show its report; the form again, saying what is wrong,
    when it sent nothing, more than is accepted, or data that could not be read or whose
    profile could not be told."""
    try:
        require_form_token()
        profile = request.form.get("profile") or None
        uploads = _form_uploads()
        if not uploads:
            raise ApiError(
                400,
                Bilingual(
                    "ファイルを選ぶか、データを貼り付けてください",
                    "choose a file or paste the data",
                ),
            )
        job = _start(uploads[0], profile)
    except RequestEntityTooLarge:  # the form's text fields beyond MAX_FORM_MEMORY_SIZE
        limit = current_app.config["MAX_FORM_MEMORY_SIZE"]
        return _form_page(
            ApiError(
                413,
                Bilingual(
                    f"貼り付けたデータが大きすぎます（{limit} バイトまで）。"
                    "大きなデータはファイルとして選んでください",
                    f"the pasted data is too large (at most {limit} bytes);"
                    " choose large data as a file",
                ),
            )
        )
    except ApiError as error:
        return _form_page(error, request.form)
    if job.state == "failed" and (job.error or {}).get("kind") in FORM_FAILURES:
        return _form_page(_failure(job, NAME_IN_THE_FORM), request.form)
    return redirect(url_for(".report_page", job_id=job.id), code=303)  # type: ignore[return-value]


@bp.route("/validate/<job_id>")
def report_page(job_id: str) -> str:
    """The job's outcome document in the page's language, as a page: its results in sections
    titled in words, narrowed by ``?severity=`` and ``?column=`` when given."""
    job = _read(job_id)
    lang = current_language()
    data = _document(job.id, lang) if job.state == "done" else None
    view = None
    if data:
        view = report_view(
            data["results"],
            query_service().page("shape-words"),
            lang,
            severity=request.args.get("severity", ""),
            column=request.args.get("column", ""),
        )
    limits = InputLimits.from_settings(_settings())
    offer = data and conversion_offer(
        job, _folder(job.id), data_profiles(), query_service().model, limits
    )
    progress = _progress(job)
    return render_template(
        "report.html",
        job=job,
        progress=progress,
        progress_text=progress and progress_words(progress).in_language(lang),
        data=data,
        view=view,
        conversion=offer or None,
        downloads=[
            (r.name, r.file_name(current_language()), r.description.in_language(current_language()))
            for r in RENDERERS
        ],
        finding_where=finding_where,
        outcome_word=word,
        verdict_class=verdict_class,
        checked_words=checked_words,
    )


@bp.route("/validate/<job_id>/converted.csv")
@expensive  # the conversion runs in a child process, as a validation does
def converted_download(job_id: str) -> Response:
    """The job's file converted to the current layout, when its profile is an older one."""
    job = _read(job_id)
    source = older_profile(job, data_profiles())
    if source is None:
        raise ApiError(
            404,
            Bilingual(
                f"ジョブ {job_id} のファイルは旧レイアウトとして検証されていないため、"
                "変換できません",
                f"job {job_id} was not validated as an older layout; there is nothing to convert",
            ),
        )
    try:
        data, name = converted_file(
            job, _folder(job_id), source, query_service().model, _settings()
        )
    except OSError:
        raise _gone(job_id) from None
    except CityrefError as exc:
        raise ApiError.from_error(413 if isinstance(exc, InputTooLarge) else 422, exc) from None
    response = Response(data, mimetype="text/csv")
    ascii_name = f"{job_id}.{name.rsplit('.', 2)[-2]}.csv"
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    )
    return response
