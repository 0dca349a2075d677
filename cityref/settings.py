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
from urllib.parse import urlsplit, urlunsplit

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
    secret: bool = False  # a credential: `cityref settings` does not print its value
    zero_is_off: bool = False  # a number that may be 0, meaning "not used"


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
            "組み込み Oxigraph ストアのフォルダ（相対パスは作業ディレクトリ基準）。リモートストア"
            "（store_endpoint）を使うときも、ジョブ・カウンタ・ビルドのロックはここに置きます。"
            "http(s) の URL を書くと store_endpoint の略記になります。",
            "Folder of the embedded Oxigraph store (relative paths are under the working "
            "directory). With a remote store (store_endpoint) it still holds the jobs, counters "
            "and the build lock. An http(s) URL here is the shorthand for store_endpoint.",
        ),
    ),
    Setting(
        "store_endpoint",
        str,
        None,
        "CITYREF_STORE_ENDPOINT",
        Bilingual(
            "リモートストアの SPARQL 1.1 クエリ エンドポイント（http(s) URL）。設定すると組み込み"
            "ストアの代わりにこのサーバ（Oxigraph server・Virtuoso など）を使い、更新とグラフ"
            "ストアプロトコルも下の 2 つで別に指定しない限りこの URL に送ります。"
            "CITYREF_STORE の値が http:// または https:// で始まり、その後にホスト名が続く URL"
            "として読めるときは、その値をこの設定とみなします（ストアのフォルダは既定のまま。"
            "その名前のフォルダを使うには ./http:/... と書きます）。"
            "サーバ側の行数上限（Virtuoso の ResultSetMaxRows）は max_rows より"
            "大きくしてください。クエリの制限時間は Virtuoso には timeout パラメータで伝えます。"
            "Oxigraph server では起動オプション --timeout-s で設定します。",
            "SPARQL 1.1 query endpoint (http(s) URL) of a remote store. When set, this server "
            "(Oxigraph server, Virtuoso, ...) is the store instead of the embedded one; updates "
            "and the Graph Store Protocol go to this URL too unless the two settings below say "
            "otherwise. A CITYREF_STORE value that parses as a URL, http:// or https:// followed "
            "by a host name, is taken as this setting (the store folder then keeps its default; "
            "write ./http:/... for a folder of that name). The server's own row cap (Virtuoso's "
            "ResultSetMaxRows) must exceed max_rows. The query time limit is sent to Virtuoso "
            "as its timeout parameter; give Oxigraph server its own with --timeout-s.",
        ),
    ),
    Setting(
        "store_update_endpoint",
        str,
        None,
        "CITYREF_STORE_UPDATE_ENDPOINT",
        Bilingual(
            "リモートストアの SPARQL 1.1 更新エンドポイント。既定は store_endpoint。",
            "SPARQL 1.1 update endpoint of the remote store. Default: store_endpoint.",
        ),
    ),
    Setting(
        "store_graph_endpoint",
        str,
        None,
        "CITYREF_STORE_GRAPH_ENDPOINT",
        Bilingual(
            "リモートストアのグラフストアプロトコル（SPARQL 1.1 Graph Store HTTP Protocol）の"
            "エンドポイント。cityref build がグラフを書き込みます。既定は store_endpoint。",
            "Graph Store Protocol endpoint of the remote store, where cityref build writes the "
            "graphs. Default: store_endpoint.",
        ),
    ),
    Setting(
        "store_user",
        str,
        None,
        "CITYREF_STORE_USER",
        Bilingual(
            "リモートストアのユーザ名（更新とグラフの書き込みに必要なサーバが多い）。",
            "User name at the remote store (most servers need one for updates and graph writes).",
        ),
    ),
    Setting(
        "store_password",
        str,
        None,
        "CITYREF_STORE_PASSWORD",
        Bilingual(
            "リモートストアのパスワード（cityref settings では伏せて表示）。",
            "Password at the remote store (cityref settings prints it masked).",
        ),
        secret=True,
    ),
    Setting(
        "store_auth",
        str,
        "basic",
        "CITYREF_STORE_AUTH",
        Bilingual(
            "リモートストアの HTTP 認証方式: basic または digest（Virtuoso の /sparql-auth は"
            " digest）。",
            "HTTP authentication scheme of the remote store: basic or digest (Virtuoso's "
            "/sparql-auth uses digest).",
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
            "1 クライアントアドレスがサーバ全体（全ワーカー合計、ストアのフォルダで集計。"
            "CITYREF_STATE があれば全インスタンス合計）に 1 分間に送れるリクエスト数。"
            "超えると 429。",
            "Requests per minute one client address may make to the server (all its workers "
            "together, counted in the store folder; with CITYREF_STATE, all instances together); "
            "then 429.",
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
        "query_cache_bytes",
        int,
        32 * 1024 * 1024,
        "CITYREF_QUERY_CACHE_BYTES",
        Bilingual(
            "Web ワーカーごとに、現在のビルドの応答を保存しておく上限バイト数。繰り返された"
            "クエリの応答と、ビルドだけで決まる GET の応答全体に、それぞれこの量まで（ビルドが"
            "変わると空にします。0 で無効）。",
            "Bytes of answers each web worker keeps for the current build: as much again for "
            "repeated queries' answers and for whole answers of build-only GETs (emptied when "
            "the build changes; 0 turns both off).",
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
            "サーバで同時に実行する検証ジョブの数。他はキューで待ちます。CITYREF_STATE があれば"
            "同時実行数は `cityref worker` の数で、この値の 8 倍が待てるジョブの上限です。",
            "Validation jobs that run at once on the server; the others wait in the queue. With "
            "CITYREF_STATE the `cityref worker` processes run them, and eight times this bounds "
            "the jobs queued.",
        ),
    ),
    Setting(
        "validation_memory_mb",
        int,
        2048,
        "CITYREF_VALIDATION_MEMORY_MB",
        Bilingual(
            "検証ジョブ 1 つが使えるメモリ（MiB、読み込み済みのライブラリの分を除く）。"
            "超えたジョブはその理由で失敗します。",
            "Memory (MiB) one validation job may use beyond its loaded libraries; a job that "
            "needs more fails with that reason.",
        ),
    ),
    Setting(
        "validation_endpoints",
        str,
        "",
        "CITYREF_VALIDATION_ENDPOINTS",
        Bilingual(
            "その場で検証できる SPARQL エンドポイント：空白区切りの `名前=URL`。API はこの名前"
            "でしか選べません（docs/validate-in-place.md）。",
            "SPARQL endpoints whose data may be validated in place: space-separated `name=URL`. "
            "The API chooses one only by such a name (docs/validate-in-place.md).",
        ),
    ),
    Setting(
        "validation_endpoint_credentials",
        str,
        "",
        "CITYREF_VALIDATION_ENDPOINT_CREDENTIALS",
        Bilingual(
            "エンドポイントの認証情報：空白区切りの `名前=利用者:パスワード`（名前は "
            "validation_endpoints のもの）。表示はされません。",
            "Credentials of those endpoints: space-separated `name=user:password` (names of "
            "validation_endpoints). Never shown.",
        ),
        secret=True,
    ),
    Setting(
        "validation_focus_batch",
        int,
        0,
        "CITYREF_VALIDATION_FOCUS_BATCH",
        Bilingual(
            "その場での検証で、シェイプの対象ノード（IRI）をこの数ずつ VALUES で"
            "名指しして問い合わせます。0 は使わない（既定）。回答の行数を切るサーバーでは"
            "回答が小さくなりますが、サーバーの仕事は約 3 倍になります"
            "（docs/validate-in-place.md）。",
            "Validation in place names a shape's focus IRIs in VALUES blocks of this many; 0 "
            "(default): no batches. Keeps answers small for a server that cuts them, at some "
            "three times the server's work (docs/validate-in-place.md).",
        ),
        zero_is_off=True,
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
    Setting(
        "state",
        str,
        None,
        "CITYREF_STATE",
        Bilingual(
            "複数のサーバ・検証ワーカーが共有する状態サービス（Redis）の URL"
            "（redis://[:パスワード@]ホスト:ポート/DB 番号、rediss://…、unix://…）。"
            "設定すると、レート制限はすべてのインスタンスで 1 つの数え方になり、検証ジョブは"
            "共有キューに入って `cityref worker` のプールが実行し、登録簿とトークンへの書き込みは"
            "インスタンスをまたいで順番に行われます。未設定なら 1 台のサーバ内で完結します。",
            "URL of the state service (Redis) that several servers and validation workers share "
            "(redis://[:password@]host:port/db, rediss://…, unix://…). When set, the rate limit "
            "is one count across instances, validation jobs go into the shared queue and are "
            "run by a pool of `cityref worker` processes, and registry and token writes are "
            "serialised across instances. Unset: everything stays within one server.",
        ),
    ),
)

#: How a ``state`` URL may begin (the Redis client's own schemes).
STATE_SCHEMES = ("redis://", "rediss://", "unix://")
SETTINGS_BY_NAME: Mapping[str, Setting] = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class Settings:
    """The values in force. Build with :func:`load_settings`; change with :meth:`with_`."""

    store: Path
    store_endpoint: str | None
    store_update_endpoint: str | None
    store_graph_endpoint: str | None
    store_user: str | None
    store_password: str | None
    store_auth: str
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
    query_cache_bytes: int
    client_concurrency: int
    client_queue: int
    request_body_timeout: float
    validation_jobs: int
    validation_memory_mb: int
    validation_endpoints: str
    validation_endpoint_credentials: str
    validation_focus_batch: int
    max_decompressed_bytes: int
    jobs_max_bytes: int
    jobs_max_age_days: float
    state: str | None

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
    if setting.type in (int, float) and not isinstance(value, bool):
        if setting.zero_is_off and value < 0:
            raise SettingsError(
                Bilingual(
                    f"{setting.env}={raw!r}: 0（使わない）以上にしてください",
                    f"{setting.env}={raw!r}: must be 0 (off) or more",
                )
            )
        if not setting.zero_is_off and value <= 0:
            raise SettingsError(
                Bilingual(
                    f"{setting.env}={raw!r}: 0 より大きい値にしてください",
                    f"{setting.env}={raw!r}: must be greater than 0",
                )
            )
    if setting.name == "state" and not value.startswith(STATE_SCHEMES):
        raise SettingsError(
            Bilingual(
                f"{setting.env}: redis://、rediss://、unix:// で始まる URL にしてください",
                f"{setting.env}: must be a redis://, rediss:// or unix:// URL",
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
    if setting.name.endswith("_endpoint") and remote_store_url(value) is None:
        raise SettingsError(
            Bilingual(
                f"{setting.env}={raw!r}: ホスト名のある http(s) の URL にしてください",
                f"{setting.env}={raw!r}: must be an http(s) URL with a host name",
            )
        )
    if setting.name == "store_auth" and value not in ("basic", "digest"):
        raise SettingsError(
            Bilingual(
                f"{setting.env}={raw!r}: basic または digest にしてください",
                f"{setting.env}={raw!r}: use basic or digest",
            )
        )
    return value


def remote_store_url(text: str) -> str | None:
    """``text`` when it parses as an absolute http(s) URL with a host name, else None."""
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    if not text.lower().startswith(parts.scheme.lower() + "://"):
        return None
    return text


def _store_shorthand(env: Mapping[str, str], values: dict[str, Any]) -> None:
    """CITYREF_STORE=<http(s) URL> sets store_endpoint and leaves the folder at its default."""
    raw = env.get("CITYREF_STORE") or ""
    if remote_store_url(raw) is None:
        return
    if values["store_endpoint"] not in (None, raw):
        raise SettingsError(
            Bilingual(
                f"CITYREF_STORE={raw!r} と CITYREF_STORE_ENDPOINT が異なる URL を指しています",
                f"CITYREF_STORE={raw!r} and CITYREF_STORE_ENDPOINT name different URLs",
            )
        )
    values["store_endpoint"] = raw
    values["store"] = SETTINGS_BY_NAME["store"].default


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read the table's defaults, overridden by ``CITYREF_*`` variables of ``environ``."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = env.get(setting.env)
        values[setting.name] = _coerce(setting, raw) if raw not in (None, "") else setting.default
    _store_shorthand(env, values)
    if values["sources"] is None:
        values["sources"] = _default_sources()
    return Settings(**values)


def shown_value(setting: Setting, value: Any) -> str:
    """A value as ``cityref settings`` prints it: credentials (``secret`` settings) and a
    password in the state URL are hidden."""
    if setting.secret and value:
        return "********"
    if setting.name != "state" or value is None:
        return str(value)
    parts = urlsplit(str(value))
    if parts.password is None:
        return str(value)
    host = parts.netloc.rsplit("@", 1)[-1]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


#: What a setting without a fixed default stands for when unset, in docs/settings.md.
DEFAULT_WORDS = {"sources": "the checkout, or the installed copy", "state": "none (one server)"}


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
        default = f"`{s.default}`" if s.default is not None else DEFAULT_WORDS.get(s.name, "—")
        cells = [f"`{s.name}`", s.type.__name__, default, f"`{s.env}`", s.help.ja, s.help.en]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
