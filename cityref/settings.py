"""Settings: one declarative table read by the CLI, the web app, the docs and the tests.

Every setting has a name, a type, a default, the ``CITYREF_*`` environment variable that
overrides it and a help text. Nothing else in cityref reads the environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from cityref.errors import SettingsError
from cityref.text import Bilingual


@dataclass(frozen=True)
class Setting:
    """One row of the settings table; ``help`` says what it is for, in both languages."""

    name: str
    type: type
    default: Any
    env: str
    help: Bilingual


def _default_sources() -> Path:
    """The checkout's content folders when run from git, else the copy inside the wheel."""
    package_dir = Path(__file__).resolve().parent
    checkout = package_dir.parent
    if (checkout / "ontology").is_dir() and (checkout / "pyproject.toml").is_file():
        return checkout
    return package_dir / "_sources"


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "store",
        Path,
        Path(".cityref/store"),
        "CITYREF_STORE",
        Bilingual(
            "組み込み Oxigraph ストアのフォルダ（相対パスは作業ディレクトリ基準）。",
            "Folder of the embedded Oxigraph store (relative paths are under the working "
            "directory).",
        ),
    ),
    Setting(
        "tokens_file",
        Path,
        Path(".cityref/tokens.json"),
        "CITYREF_TOKENS_FILE",
        Bilingual(
            "書き込み用ベアラートークンのファイル（ハッシュで保存。`cityref token` で管理）。",
            "File of the bearer tokens for write surfaces (hashed; managed with `cityref token`).",
        ),
    ),
    Setting(
        "sources",
        Path,
        None,
        "CITYREF_SOURCES",
        Bilingual(
            "ontology/・shapes/・registry/ を含むフォルダ。すべてのコマンドとページはモデル（語彙・"
            "プロファイル・リリース・登録簿）をこのフォルダだけから読みます。"
            "既定は git チェックアウト、またはパッケージ同梱のコピー。",
            "Folder holding ontology/, shapes/ and registry/; every command and page reads the "
            "model (terms, profiles, releases, registry) from this tree alone. Default: the git "
            "checkout, or the copy installed with the package.",
        ),
    ),
    Setting(
        "base_iri",
        str,
        "https://w3id.org/cityref/",
        "CITYREF_BASE_IRI",
        Bilingual(
            "語彙・プロファイル・登録レコード・名前付きグラフの基底 IRI（末尾は '/'）。"
            "ソースは既定値で書かれており、別の値のときはファイルを読む際に既定値をこの値に"
            "置き換えます（cityref.store.sources.ModelFiles.read）。ストア・ページ・API の応答・"
            "検証レポート・JSON-LD コンテキストはこの基底だけを使います。",
            "Base IRI of the model's terms, profiles, records and named graphs; ends with '/'. "
            "The sources are written under the default; with another value, every occurrence of "
            "the default in a source is replaced by this one as the file is read "
            "(cityref.store.sources.ModelFiles.read), so the store, pages, API answers, reports "
            "and "
            "JSON-LD contexts name this base only.",
        ),
    ),
    Setting(
        "host",
        str,
        "127.0.0.1",
        "CITYREF_HOST",
        Bilingual(
            "Web サーバが待ち受けるアドレス。0.0.0.0 はすべてのネットワークに公開します。",
            "Address the web server binds to. 0.0.0.0 exposes it to every network the machine is "
            "on.",
        ),
    ),
    Setting(
        "port",
        int,
        8000,
        "CITYREF_PORT",
        Bilingual(
            "Web サーバの TCP ポート。",
            "TCP port of the web server.",
        ),
    ),
    Setting(
        "query_timeout",
        float,
        10.0,
        "CITYREF_QUERY_TIMEOUT",
        Bilingual(
            "SPARQL クエリの制限時間（秒）。超えるとワーカープロセスを停止します。",
            "Seconds a SPARQL query may run before its worker process is killed.",
        ),
    ),
    Setting(
        "max_rows",
        int,
        10_000,
        "CITYREF_MAX_ROWS",
        Bilingual(
            "クエリが返す最大行数（またはトリプル数）。超過分は切り捨て、その旨を通知します。",
            "Most result rows (or triples) a query returns; the rest is cut and the cut is "
            "reported.",
        ),
    ),
    Setting(
        "max_query_bytes",
        int,
        64 * 1024,
        "CITYREF_MAX_QUERY_BYTES",
        Bilingual(
            "受け付ける SPARQL クエリ文の最大バイト数（構文解析の前に確認）。",
            "Longest SPARQL query text accepted, in bytes (checked before parsing).",
        ),
    ),
    Setting(
        "workers",
        int,
        4,
        "CITYREF_WORKERS",
        Bilingual(
            "Web サーバのワーカープロセス数。各ワーカーが専用のクエリ用プロセスを持ちます。",
            "Web server worker processes; each keeps its own query worker processes.",
        ),
    ),
    Setting(
        "rate_limit",
        int,
        600,
        "CITYREF_RATE_LIMIT",
        Bilingual(
            "1 クライアントアドレスがサーバ全体（全ワーカー合計、ストアのフォルダで集計）に"
            " 1 分間に送れるリクエスト数。超えると 429。",
            "Requests per minute one client address may make to the server (all its workers "
            "together, counted in the store folder); then 429.",
        ),
    ),
    Setting(
        "validation_timeout",
        float,
        120.0,
        "CITYREF_VALIDATION_TIMEOUT",
        Bilingual(
            "1 回の検証の制限時間（秒）。超えるとワーカープロセスを停止します。",
            "Seconds one validation may run before its worker process is killed.",
        ),
    ),
    Setting(
        "async_validation_bytes",
        int,
        5 * 1024 * 1024,
        "CITYREF_ASYNC_VALIDATION_BYTES",
        Bilingual(
            "これより大きいアップロードはバックグラウンドのジョブとして検証します"
            "（202 とジョブの URL）。",
            "Uploads larger than this are validated as a job in the background (202 and a job "
            "URL).",
        ),
    ),
    Setting(
        "allow_updates",
        bool,
        False,
        "CITYREF_ALLOW_UPDATES",
        Bilingual(
            "書き込みトークンを持つ人に SPARQL Update を許可します。変更は次の構築まで有効で、"
            "ソースは提案によってのみ変わります。",
            "Let holders of a write token run SPARQL Update on the served store. The changes last "
            "until the next build; the sources change only through proposals.",
        ),
    ),
    Setting(
        "max_upload_bytes",
        int,
        50 * 1024 * 1024,
        "CITYREF_MAX_UPLOAD_BYTES",
        Bilingual(
            "受け付けるリクエスト本文・アップロードファイルの最大バイト数。",
            "Largest request body or uploaded file accepted, in bytes.",
        ),
    ),
    Setting(
        "threads",
        int,
        16,
        "CITYREF_THREADS",
        Bilingual(
            "Web ワーカープロセスごとのリクエスト用スレッド数。遅いクライアントが占有するのは"
            "ワーカーではなくスレッド一つです。",
            "Request threads per web worker process: a slow client holds one thread, not a worker.",
        ),
    ),
    Setting(
        "query_workers",
        int,
        3,
        "CITYREF_QUERY_WORKERS",
        Bilingual(
            "Web ワーカーごとのクエリ用プロセス数。1 クライアントの同時実行数より多くし、"
            "重いクエリが他のクライアントを待たせないようにします。",
            "Query worker processes per web worker: more than one client's share, so that one "
            "client's heavy queries leave room for the others.",
        ),
    ),
    Setting(
        "query_memory_mb",
        int,
        1024,
        "CITYREF_QUERY_MEMORY_MB",
        Bilingual(
            "クエリ用プロセス 1 つが使えるメモリ（MiB）。超えたクエリは停止し 503 を返します。",
            "Memory (MiB) one query worker process may use; a query that needs more is stopped "
            "and answered 503.",
        ),
    ),
    Setting(
        "client_concurrency",
        int,
        2,
        "CITYREF_CLIENT_CONCURRENCY",
        Bilingual(
            "1 クライアントアドレスがサーバ全体で同時に実行できる重い処理（クエリ・検索・検証）の数"
            "。",
            "Expensive requests (queries, searches, validations) one client address may run at "
            "once, over all workers of the server.",
        ),
    ),
    Setting(
        "client_queue",
        int,
        4,
        "CITYREF_CLIENT_QUEUE",
        Bilingual(
            "空きを待てる 1 クライアントの重い処理の数（待ち時間はクエリの制限時間まで）。"
            "超えると 429。",
            "Expensive requests of one client that may wait for a free place (up to the query "
            "time limit); more are answered 429.",
        ),
    ),
    Setting(
        "request_body_timeout",
        float,
        30.0,
        "CITYREF_REQUEST_BODY_TIMEOUT",
        Bilingual(
            "リクエスト本文の送信に許す時間（秒）。遅いアップロードには 408 を返します。",
            "Seconds a client may take to send a request body; slower uploads are answered 408.",
        ),
    ),
    Setting(
        "validation_jobs",
        int,
        2,
        "CITYREF_VALIDATION_JOBS",
        Bilingual(
            "サーバで同時に実行する検証ジョブの数。他はキューで待ちます。",
            "Validation jobs that run at once on the server; the others wait in the queue.",
        ),
    ),
    Setting(
        "validation_memory_mb",
        int,
        2048,
        "CITYREF_VALIDATION_MEMORY_MB",
        Bilingual(
            "検証ジョブ 1 つが使えるメモリ（MiB）。超えたジョブはその理由で失敗します。",
            "Memory (MiB) one validation job may use; a job that needs more fails with that "
            "reason.",
        ),
    ),
    Setting(
        "max_decompressed_bytes",
        int,
        100 * 1024 * 1024,
        "CITYREF_MAX_DECOMPRESSED_BYTES",
        Bilingual(
            "1 つの zip アップロードから読み出す最大バイト数（使うメンバーの合計、読みながら確認）"
            "。",
            "Most bytes read out of one zip upload (all members used together), checked while "
            "reading.",
        ),
    ),
    Setting(
        "jobs_max_bytes",
        int,
        1024 * 1024 * 1024,
        "CITYREF_JOBS_MAX_BYTES",
        Bilingual(
            "保存する検証ジョブ（アップロードとレポート）の合計サイズ。古いものから削除します。",
            "Total size of stored validation jobs (uploads and reports); the oldest are removed "
            "first.",
        ),
    ),
    Setting(
        "jobs_max_age_days",
        float,
        7.0,
        "CITYREF_JOBS_MAX_AGE_DAYS",
        Bilingual(
            "終了した検証ジョブとアップロードを保存する日数。",
            "Days a finished validation job and its upload are kept.",
        ),
    ),
)

SETTINGS_BY_NAME: Mapping[str, Setting] = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class Settings:
    """The values in force. Build with :func:`load_settings`; change with :meth:`with_`."""

    store: Path
    tokens_file: Path
    sources: Path
    base_iri: str
    host: str
    port: int
    query_timeout: float
    max_rows: int
    max_query_bytes: int
    workers: int
    rate_limit: int
    validation_timeout: float
    async_validation_bytes: int
    allow_updates: bool
    max_upload_bytes: int
    threads: int
    query_workers: int
    query_memory_mb: int
    client_concurrency: int
    client_queue: int
    request_body_timeout: float
    validation_jobs: int
    validation_memory_mb: int
    max_decompressed_bytes: int
    jobs_max_bytes: int
    jobs_max_age_days: float

    def with_(self, **changes: Any) -> Settings:
        """A copy with some values replaced, checked like environment values."""
        checked = {name: _coerce(SETTINGS_BY_NAME[name], value) for name, value in changes.items()}
        return replace(self, **checked)

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _boolean(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError("use true or false")


def _coerce(setting: Setting, raw: Any) -> Any:
    """Turn an environment string (or a Python value) into the setting's type, or say why not."""
    if raw is None:
        return None
    try:
        if setting.type is bool:
            value: Any = _boolean(raw)
        elif setting.type is Path:
            value = Path(raw)
        elif setting.type is int:
            value = int(raw)
        elif setting.type is float:
            value = float(raw)
        else:
            value = str(raw)
    except (TypeError, ValueError) as exc:
        kind = setting.type.__name__
        raise SettingsError(
            Bilingual(
                f"{setting.env}={raw!r}: {kind} の値が必要です（{exc}）",
                f"{setting.env}={raw!r}: expected {kind} ({exc})",
            )
        ) from exc
    if setting.type in (int, float) and not isinstance(value, bool) and value <= 0:
        raise SettingsError(
            Bilingual(
                f"{setting.env}={raw!r}: 0 より大きい値にしてください",
                f"{setting.env}={raw!r}: must be greater than 0",
            )
        )
    if setting.name == "base_iri" and not (
        value.startswith(("http://", "https://")) and value.endswith("/")
    ):
        raise SettingsError(
            Bilingual(
                f"{setting.env}={raw!r}: '/' で終わる http(s) の IRI にしてください",
                f"{setting.env}={raw!r}: must be an http(s) IRI ending with '/'",
            )
        )
    return value


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read the table's defaults, overridden by ``CITYREF_*`` variables of ``environ``."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = env.get(setting.env)
        values[setting.name] = _coerce(setting, raw) if raw not in (None, "") else setting.default
    if values["sources"] is None:
        values["sources"] = _default_sources()
    return Settings(**values)


def settings_markdown() -> str:
    """``docs/settings.md``, generated from the table (a test keeps the file in step)."""
    lines = [
        "# Settings / 設定",
        "",
        "<!-- Generated by `cityref settings --markdown > docs/settings.md`; do not edit. -->",
        "",
        "Every setting has a default and a `CITYREF_*` environment variable that overrides it.",
        "`cityref settings` prints the values in force.",
        "各設定には既定値があり、`CITYREF_*` 環境変数で上書きできます。"
        "`cityref settings` で現在の値を表示します。",
        "",
        "| name | type | default | environment variable | 説明 | meaning |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for s in SETTINGS:
        default = "the checkout, or the installed copy" if s.default is None else f"`{s.default}`"
        cells = [f"`{s.name}`", s.type.__name__, default, f"`{s.env}`", s.help.ja, s.help.en]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
